using System.Diagnostics.CodeAnalysis;
using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Validation;

internal sealed record ClientAuthenticationResult
{
    private ClientAuthenticationResult()
    {
    }

    public Client? Client { get; private init; }

    /// <summary>On failure, the client id that was presented, when it was syntactically valid (for logs only).</summary>
    public string? PresentedClientId { get; private init; }

    /// <summary>The RFC 7591 name of the method the client used.</summary>
    public string? Method { get; private init; }

    public string? Error { get; private init; }

    public string? ErrorDescription { get; private init; }

    [MemberNotNullWhen(false, nameof(Client), nameof(Method))]
    [MemberNotNullWhen(true, nameof(Error))]
    public bool IsError => Error is not null;

    public static ClientAuthenticationResult Success(Client client, string method) =>
        new() { Client = client, Method = method, PresentedClientId = client.ClientId };

    public static ClientAuthenticationResult Failure(string error, string description, string? presentedClientId = null, string? method = null) =>
        new() { Error = error, ErrorDescription = description, PresentedClientId = presentedClientId, Method = method };
}
