using System.Security.Cryptography;
using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>Who called the introspection endpoint: an API resource (by name) or a confidential client.</summary>
internal sealed record IntrospectionCaller(string Name, bool IsApiResource);

/// <summary>
/// RFC 7662 §2.1: the caller authenticates. An API resource with configured secrets uses HTTP Basic with its name as
/// the user name; any other caller is a client authenticated like at the token endpoint (public clients cannot
/// introspect). A name that is both a resource and a client is taken as the resource.
/// </summary>
internal sealed class IntrospectionCallerAuthenticator(IResourceStore resources, IClientAuthenticator clients)
{
    private static readonly byte[] UnknownHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    public async ValueTask<(IntrospectionCaller? Caller, ClientAuthenticationResult? Failure)> AuthenticateAsync(
        HttpRequest request,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);

        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1
            && ClientSecretAuthenticator.TryParseBasic(authorization.ToString(), out var name, out var secret)
            && (await resources.GetAllApiResourcesAsync(cancellationToken)).FirstOrDefault(r => r.Name == name && r.SecretHashes.Count > 0) is { } resource)
        {
            if (parameters.ContainsKey(TokenRequestParameters.ClientSecret) || parameters.ContainsKey(TokenRequestParameters.ClientAssertion))
            {
                return (null, ClientAuthenticationResult.Failure(Errors.InvalidRequest, "Use only one authentication method per request."));
            }

            var presented = SecretHash.Compute(secret);
            var matched = false;
            foreach (var expected in resource.SecretHashes.Count > 0 ? resource.SecretHashes : [UnknownHash])
            {
                matched |= CryptographicOperations.FixedTimeEquals(presented, expected);
            }

            return matched
                ? (new IntrospectionCaller(resource.Name, IsApiResource: true), null)
                : (null, ClientAuthenticationResult.Failure(Errors.InvalidClient, "Authentication failed.", name, ClientAuthenticationMethods.ClientSecretBasic));
        }

        var result = await clients.AuthenticateAsync(request, parameters, cancellationToken);
        if (result.IsError)
        {
            return (null, result);
        }

        return result.Method == ClientAuthenticationMethods.None
            ? (null, ClientAuthenticationResult.Failure(Errors.InvalidClient, "Public clients cannot introspect tokens.", result.Client.ClientId, result.Method))
            : (new IntrospectionCaller(result.Client.ClientId, IsApiResource: false), null);
    }
}
