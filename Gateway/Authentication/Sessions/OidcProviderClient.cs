using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).</summary>
internal sealed record TokenEndpointResponse(string AccessToken, string? RefreshToken, string? IdToken, TimeSpan ExpiresIn, string? Scope);

/// <summary>The IdP could not be reached or answered something unusable (5xx, timeout, garbage).</summary>
internal sealed class IdentityProviderUnavailableException : Exception
{
    public IdentityProviderUnavailableException()
    {
    }

    public IdentityProviderUnavailableException(string message)
        : base(message)
    {
    }

    public IdentityProviderUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The token endpoint refused the grant (RFC 6749 §5.2: <c>invalid_grant</c>, …).</summary>
internal sealed class TokenRequestRejectedException : Exception
{
    public TokenRequestRejectedException()
    {
    }

    public TokenRequestRejectedException(string message)
        : base(message)
    {
    }

    public TokenRequestRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A validated JWT from the IdP: its payload, for the claims the caller needs.</summary>
internal sealed record ValidatedJwt(JsonWebToken Token, JsonElement Payload);

/// <summary>
/// The gateway's side of OIDC as a confidential client: discovery and JWKS (cached by
/// <see cref="ConfigurationManager{T}"/>, issuer checked exactly), the token endpoint with <c>client_secret_basic</c>,
/// and validation of the ID token (OIDC Core §3.1.3.7) and the logout token (Back-Channel Logout 1.0 §2.6).
/// </summary>
internal sealed class OidcProviderClient
{
    public const string HttpClientName = "Reference.Gateway.Bff";

    public const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384,
    ];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly BffOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AuthenticationHeaderValue _clientAuthentication;

    public OidcProviderClient(IHttpClientFactory httpClientFactory, IOptions<BffOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        var retriever = new HttpDocumentRetriever(httpClientFactory.CreateClient(HttpClientName)) { RequireHttps = false };
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(
            _options.MetadataAddress.ToString(), new OpenIdConnectConfigurationRetriever(), retriever)
        {
            AutomaticRefreshInterval = TimeSpan.FromMinutes(10),
            RefreshInterval = TimeSpan.FromSeconds(30),
        };
        var credentials = $"{Uri.EscapeDataString(_options.ClientId)}:{Uri.EscapeDataString(_options.ClientSecret ?? string.Empty)}";
        _clientAuthentication = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _configuration.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new IdentityProviderUnavailableException("The IdP's discovery document or JWKS could not be loaded.", ex);
        }

        if (!string.Equals(configuration.Issuer, _options.Authority, StringComparison.Ordinal))
        {
            // OIDC Discovery §4.3.
            throw new IdentityProviderUnavailableException("The discovery document's issuer is not the configured authority.");
        }

        return configuration;
    }

    public async Task<TokenEndpointResponse> RedeemCodeAsync(string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken) =>
        await PostTokenRequestAsync(
            [
                new("grant_type", "authorization_code"),
                new("code", code),
                new("redirect_uri", redirectUri),
                new("code_verifier", codeVerifier),
            ],
            cancellationToken);

    public async Task<TokenEndpointResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        await PostTokenRequestAsync([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], cancellationToken);

    /// <summary>OIDC Core §3.1.3.7: signature, iss, aud (and azp), exp, iat, nonce. Returns null and a reason when invalid.</summary>
    public async Task<(ValidatedJwt? Token, string? Problem)> ValidateIdTokenAsync(string idToken, string expectedNonce, CancellationToken cancellationToken)
    {
        var (token, problem) = await ValidateSignedAsync(idToken, cancellationToken);
        if (token is null)
        {
            return (null, problem);
        }

        if (!string.IsNullOrEmpty(token.Token.Typ) && !string.Equals(token.Token.Typ, "JWT", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "the ID token's typ is not JWT");
        }

        if (!ValidTimes(token.Payload, requireIat: true, out problem))
        {
            return (null, problem);
        }

        if (!token.Payload.TryGetProperty("nonce", out var nonce) || nonce.ValueKind != JsonValueKind.String
            || !CryptographicEquals(nonce.GetString()!, expectedNonce))
        {
            return (null, "the ID token's nonce does not match");
        }

        if (String(token.Payload, "sub") is not { Length: > 0 })
        {
            return (null, "the ID token has no sub");
        }

        if (token.Payload.TryGetProperty("azp", out var azp) && (azp.ValueKind != JsonValueKind.String || azp.GetString() != _options.ClientId))
        {
            return (null, "the ID token's azp is not this client");
        }

        return (token, null);
    }

    /// <summary>OIDC Back-Channel Logout 1.0 §2.6, except the jti replay check, which needs the store.</summary>
    public async Task<(ValidatedJwt? Token, string? Problem)> ValidateLogoutTokenAsync(string logoutToken, CancellationToken cancellationToken)
    {
        var (token, problem) = await ValidateSignedAsync(logoutToken, cancellationToken);
        if (token is null)
        {
            return (null, problem);
        }

        if (!string.IsNullOrEmpty(token.Token.Typ) && !string.Equals(token.Token.Typ, "logout+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "the logout token's typ is not logout+jwt");
        }

        if (!ValidTimes(token.Payload, requireIat: true, out problem))
        {
            return (null, problem);
        }

        if (String(token.Payload, "jti") is not { Length: > 0 and <= 256 })
        {
            return (null, "the logout token has no jti");
        }

        if (String(token.Payload, "sid") is not { Length: > 0 } && String(token.Payload, "sub") is not { Length: > 0 })
        {
            return (null, "the logout token has neither sid nor sub");
        }

        if (!token.Payload.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object
            || !events.TryGetProperty(BackChannelLogoutEvent, out var logoutEvent) || logoutEvent.ValueKind != JsonValueKind.Object)
        {
            return (null, "the logout token has no back-channel logout event");
        }

        if (token.Payload.TryGetProperty("nonce", out _))
        {
            return (null, "the logout token carries a nonce");
        }

        return (token, null);
    }

    public static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<(ValidatedJwt? Token, string? Problem)> ValidateSignedAsync(string jwt, CancellationToken cancellationToken)
    {
        if (jwt.Length > 16 * 1024 || !_handler.CanReadToken(jwt))
        {
            return (null, "not a compact JWS");
        }

        var configuration = await GetConfigurationAsync(cancellationToken);
        var result = await _handler.ValidateTokenAsync(jwt, Parameters(configuration));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key rotation at the IdP: refresh once (ConfigurationManager throttles refreshes), then retry.
            _configuration.RequestRefresh();
            configuration = await GetConfigurationAsync(cancellationToken);
            result = await _handler.ValidateTokenAsync(jwt, Parameters(configuration));
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            return (null, result.Exception?.GetType().Name ?? "invalid token");
        }

        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement.Clone();
        return (new ValidatedJwt(token, payload), null);
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration) => new()
    {
        ValidIssuer = _options.Authority,
        ValidAudience = _options.ClientId,
        IssuerSigningKeys = configuration.SigningKeys,
        ValidAlgorithms = Algorithms,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        // Lifetime is checked against the injected clock in ValidTimes.
        ValidateLifetime = false,
        RequireExpirationTime = false,
    };

    private bool ValidTimes(JsonElement payload, bool requireIat, out string? problem)
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)_options.ClockSkew.TotalSeconds;
        if (!payload.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds))
        {
            problem = "exp is missing";
            return false;
        }

        if (expSeconds + skew <= now)
        {
            problem = "the token has expired";
            return false;
        }

        if (payload.TryGetProperty("iat", out var iat))
        {
            if (!iat.TryGetInt64(out var iatSeconds) || iatSeconds - skew > now)
            {
                problem = "iat is in the future";
                return false;
            }
        }
        else if (requireIat)
        {
            problem = "iat is missing";
            return false;
        }

        problem = null;
        return true;
    }

    private async Task<TokenEndpointResponse> PostTokenRequestAsync(IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var configuration = await GetConfigurationAsync(cancellationToken);
        if (!Uri.TryCreate(configuration.TokenEndpoint, UriKind.Absolute, out var endpoint))
        {
            throw new IdentityProviderUnavailableException("The discovery document has no token_endpoint.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.BackchannelTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Authorization = _clientAuthentication;
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _httpClientFactory.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
            {
                throw new TokenRequestRejectedException($"The token endpoint refused the grant ({ReadError(body)}).");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new IdentityProviderUnavailableException($"The token endpoint answered HTTP {(int)response.StatusCode}.");
            }

            return ParseTokenResponse(body);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new IdentityProviderUnavailableException("The token endpoint could not be reached.", ex);
        }
    }

    private static TokenEndpointResponse ParseTokenResponse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "access_token") is not { Length: > 0 } accessToken
                || !string.Equals(String(root, "token_type"), "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new IdentityProviderUnavailableException("The token response has no bearer access_token.");
            }

            var expiresIn = root.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, 86_400))
                : TimeSpan.FromMinutes(5);
            return new TokenEndpointResponse(accessToken, String(root, "refresh_token"), String(root, "id_token"), expiresIn, String(root, "scope"));
        }
        catch (JsonException ex)
        {
            throw new IdentityProviderUnavailableException("The token response is not JSON.", ex);
        }
    }

    private static string ReadError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && String(document.RootElement, "error") is { } error
                && error.All(c => c is >= '\x20' and <= '\x7E') && error.Length <= 64
                ? error
                : "no error code";
        }
        catch (JsonException)
        {
            return "no error code";
        }
    }

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
