using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Tokens;
using Reference.IdentityProvider.Validation;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>Issues the access token for a validated request. Issue 4 adds refresh tokens, ID tokens and the
/// token-exchange response (<c>issued_token_type</c>) here.</summary>
internal sealed class TokenResponseGenerator(
    IAccessTokenService accessTokens,
    IdentityProviderTelemetry telemetry,
    ILogger<TokenResponseGenerator> logger) : ITokenResponseGenerator
{
    public async ValueTask<TokenResponse> ProcessAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await accessTokens.CreateAsync(request, cancellationToken);
        var scope = string.Join(' ', request.Scopes);

        telemetry.TokenIssued(request.GrantType, request.Client.ClientId);
        TokenEndpointLog.TokenIssued(logger, request.Client.ClientId, request.GrantType, scope, token.TokenId, token.Algorithm, token.KeyId, token.ExpiresAt);

        // RFC 8693 §2.2.1: our exchanged tokens are bearer JWTs whichever token type was requested.
        return new TokenResponse(token.Value, TokenTypes.Bearer, (long)token.Lifetime.TotalSeconds, scope)
        {
            IssuedTokenType = request.IssuedTokenType,
        };
    }
}
