namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// The <c>jwt</c> scheme: inline validation of a bearer access token against its issuer's cached JWKS.
/// <para>
/// It handles a request that carries a Bearer credential in the Authorization header. When the route's list names
/// <c>introspection</c> after <c>jwt</c> (<c>Auth.Policy = "jwt introspection"</c>), it handles only JWS-shaped
/// tokens (three dot-separated segments), so opaque reference tokens fall through to introspection; a JWS-shaped token
/// that fails validation is still rejected here (the first scheme that handles a request decides).
/// </para>
/// </summary>
internal sealed class JwtAuthenticationScheme(JwtTokenValidator validator) : IGatewayAuthenticationScheme
{
    public const string SchemeName = "jwt";

    private const string IntrospectionSchemeName = "introspection";

    public string Name => SchemeName;

    public bool CanHandle(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var credential = BearerCredential.Read(context.Request);
        if (credential.Status != BearerCredentialStatus.Present)
        {
            return false;
        }

        var policy = context.Features.Get<RouteAuthenticationPolicy>();
        return policy is null || !policy.ListsAfter(IntrospectionSchemeName, SchemeName) || IsJwsShaped(credential.Token!);
    }

    public async ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var credential = BearerCredential.Read(context.Request);
        if (credential.Status != BearerCredentialStatus.Present)
        {
            return SchemeAuthenticationResult.Failure(
                StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, "The request has no bearer token.", AuthenticationErrors.MissingToken);
        }

        var result = await validator.ValidateAsync(credential.Token!, cancellationToken);
        return result.Failure switch
        {
            null => SchemeAuthenticationResult.Success(result.Caller!),

            // The issuer's keys are not loaded (or past the maximum stale age): the token was not judged, so it is not
            // invalid; the gateway is unavailable (503), and the client must not discard a token that may be good.
            { } failure when failure == JwtValidationFailure.KeysUnavailable => SchemeAuthenticationResult.Failure(
                StatusCodes.Status503ServiceUnavailable, AuthenticationErrors.TemporarilyUnavailable, failure.Description, failure.Reason),
            { } failure => SchemeAuthenticationResult.Failure(
                StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, failure.Description, failure.Reason),
        };
    }

    /// <summary>Three non-empty segments separated by exactly two dots: the compact JWS shape (RFC 7515 §7.1).</summary>
    internal static bool IsJwsShaped(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        return second > first + 1 && second < token.Length - 1 && token.IndexOf('.', second + 1) < 0;
    }
}
