using System.Security.Cryptography;
using System.Text;
using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// <c>client_secret_basic</c> and <c>client_secret_post</c>. Using both in one request is <c>invalid_request</c>
/// (RFC 6749 §2.3: one method per request); using neither, or failing either, is <c>invalid_client</c>. An unknown
/// client and a wrong secret take the same path and produce the same answer.
/// </summary>
internal sealed class ClientSecretAuthenticator(IClientStore clients) : IClientAuthenticator
{
    /// <summary>Longest secret accepted; a longer one cannot be a configured secret and is not worth hashing.</summary>
    public const int MaxSecretLength = 1024;

    private const string FailedDescription = "Client authentication failed.";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Compared against when the client is unknown, so that unknown and known clients cost the same.
    private static readonly byte[] UnknownClientHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyList<string> SupportedMethods { get; } = [ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost];

    public async ValueTask<ClientAuthenticationResult> AuthenticateAsync(HttpRequest request, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);

        var authorization = request.Headers.Authorization;
        parameters.TryGetValue(TokenRequestParameters.ClientId, out var bodyClientId);
        parameters.TryGetValue(TokenRequestParameters.ClientSecret, out var bodySecret);

        if (authorization.Count > 1)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "The Authorization header must not be sent more than once.");
        }

        string clientId;
        string secret;
        string method;
        if (authorization.Count == 1)
        {
            if (bodySecret is not null)
            {
                return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "Use only one client authentication method: client_secret_basic or client_secret_post, not both.");
            }

            if (!TryParseBasic(authorization.ToString(), out clientId, out secret))
            {
                return ClientAuthenticationResult.Failure(Errors.InvalidClient, "The Authorization header is not valid client_secret_basic credentials.");
            }

            if (bodyClientId is not null && !string.Equals(bodyClientId, clientId, StringComparison.Ordinal))
            {
                return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "client_id in the body does not match the client authenticated by the Authorization header.");
            }

            method = ClientAuthenticationMethods.ClientSecretBasic;
        }
        else if (bodySecret is not null)
        {
            if (bodyClientId is null)
            {
                return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "client_secret requires client_id.");
            }

            (clientId, secret, method) = (bodyClientId, bodySecret, ClientAuthenticationMethods.ClientSecretPost);
        }
        else
        {
            // Unreachable through ClientAuthenticator (which routes credential-less requests to the public-client path).
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "Client authentication is required (client_secret_basic or client_secret_post).");
        }

        if (!ClientIdSyntax.IsValid(clientId))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, FailedDescription, presentedClientId: null, method);
        }

        if (secret.Length is 0 or > MaxSecretLength)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, FailedDescription, clientId, method);
        }

        var client = await clients.FindClientByIdAsync(clientId, cancellationToken);
        var presented = SecretHash.Compute(secret);
        var matched = false;
        foreach (var expected in client?.SecretHashes ?? [UnknownClientHash])
        {
            matched |= CryptographicOperations.FixedTimeEquals(presented, expected);
        }

        return matched && client is not null
            ? ClientAuthenticationResult.Success(client, method)
            : ClientAuthenticationResult.Failure(Errors.InvalidClient, FailedDescription, clientId, method);
    }

    /// <summary>RFC 6749 §2.3.1: the id and secret are form-urlencoded, joined by ':' and base64-encoded (RFC 7617).</summary>
    internal static bool TryParseBasic(string header, out string clientId, out string secret)
    {
        clientId = secret = string.Empty;
        const string Scheme = "Basic ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parameter = header.AsSpan(Scheme.Length).Trim(' ');
        if (parameter.Length is 0 or > 4 * MaxSecretLength)
        {
            return false;
        }

        var bytes = new byte[parameter.Length];
        if (!Convert.TryFromBase64Chars(parameter, bytes, out var length))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        clientId = FormUrlDecode(decoded[..colon]);
        secret = FormUrlDecode(decoded[(colon + 1)..]);
        return true;
    }

    private static string FormUrlDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
