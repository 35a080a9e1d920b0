namespace Reference.IdentityProvider.Validation;

/// <summary>Authenticates the client of a token request (RFC 6749 §2.3).</summary>
/// <remarks><see cref="ClientAuthenticator"/> is the registered implementation: shared secrets, <c>private_key_jwt</c>
/// (RFC 7523) and public clients.</remarks>
internal interface IClientAuthenticator
{
    /// <summary>The <c>token_endpoint_auth_methods_supported</c> this authenticator implements.</summary>
    IReadOnlyList<string> SupportedMethods { get; }

    ValueTask<ClientAuthenticationResult> AuthenticateAsync(HttpRequest request, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}
