using Microsoft.AspNetCore.Http;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// What a sample service's <c>/whoami</c> endpoint returns: the identity it verified and the
/// <c>x-</c> headers it received (so tests and the README can show what crossed the gateway).
/// </summary>
/// <param name="Subject">The verified subject.</param>
/// <param name="ClientId">The verified client id.</param>
/// <param name="TenantId">The verified tenant.</param>
/// <param name="Scopes">The verified scopes.</param>
/// <param name="Issuer">The internal token's issuer.</param>
/// <param name="Audience">The internal token's audience.</param>
/// <param name="OriginalIssuer">The original token's issuer.</param>
/// <param name="TokenType">The verified token type.</param>
/// <param name="RequestId">The gateway's request id.</param>
/// <param name="Roles">The verified roles.</param>
/// <param name="Email">The verified email.</param>
/// <param name="Actor">The verified delegation chain (<c>act</c>), current actor first.</param>
/// <param name="ReceivedHeaders">Every request header starting with <c>x-</c>, lower-cased name to value.</param>
public sealed record WhoAmIResponse(
    string Subject,
    string? ClientId,
    string? TenantId,
    IReadOnlyList<string> Scopes,
    string? Issuer,
    string? Audience,
    string? OriginalIssuer,
    string? TokenType,
    string? RequestId,
    IReadOnlyList<string> Roles,
    string? Email,
    ActorIdentity? Actor,
    IReadOnlyDictionary<string, string> ReceivedHeaders)
{
    /// <summary>
    /// The verified token's <c>jti</c> (none for trusted headers): the same value on many requests shows that the
    /// gateway reused one minted or exchanged token.
    /// </summary>
    public string? TokenId { get; init; }

    /// <summary>Builds the response from an authenticated principal (its <c>jti</c> included) and the request's headers.</summary>
    /// <param name="principal">The request's user.</param>
    /// <param name="headers">The request headers.</param>
    /// <returns>The response.</returns>
    public static WhoAmIResponse Create(System.Security.Claims.ClaimsPrincipal principal, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Create(CallerIdentity.FromPrincipal(principal), headers) with { TokenId = principal.FindFirst("jti")?.Value };
    }

    /// <summary>Builds the response from the verified identity and the request's headers.</summary>
    /// <param name="caller">The verified caller.</param>
    /// <param name="headers">The request headers.</param>
    /// <returns>The response.</returns>
    public static WhoAmIResponse Create(CallerIdentity caller, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(headers);
        var received = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
            {
                received[name.ToLowerInvariant()] = value.ToString();
            }
        }

        return new WhoAmIResponse(caller.Subject, caller.ClientId, caller.TenantId, caller.Scopes, caller.Issuer,
            caller.Audience, caller.OriginalIssuer, caller.TokenType, caller.RequestId, caller.Roles, caller.Email, caller.Actor, received);
    }
}
