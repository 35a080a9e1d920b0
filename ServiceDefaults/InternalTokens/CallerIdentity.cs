using System.Security.Claims;
using System.Text.Json;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// The caller as verified from an internal token. Build it with <see cref="FromPrincipal"/> in an
/// endpoint that requires authorization: <c>(ClaimsPrincipal user) =&gt; CallerIdentity.FromPrincipal(user)</c>.
/// </summary>
/// <param name="Subject">The <c>sub</c> claim.</param>
/// <param name="ClientId">The <c>client_id</c> claim, if any.</param>
/// <param name="TenantId">The <c>tenant_id</c> claim, if any.</param>
/// <param name="Scopes">The granted scopes.</param>
/// <param name="Issuer">The internal token's issuer (the gateway).</param>
/// <param name="Audience">The internal token's audience (this service).</param>
/// <param name="OriginalIssuer">The issuer of the token the gateway validated.</param>
/// <param name="TokenType">The verified JOSE <c>typ</c>.</param>
/// <param name="RequestId">The gateway's request id, if any.</param>
/// <param name="Roles">The <c>roles</c> claims.</param>
/// <param name="Email">The <c>email</c> claim, if any.</param>
/// <param name="Actor">The current actor (RFC 8693 <c>act</c>), with the earlier actors nested inside; null without delegation.</param>
public sealed record CallerIdentity(
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
    ActorIdentity? Actor)
{
    /// <summary>True when every one of <paramref name="scopes"/> was granted.</summary>
    /// <param name="scopes">The scopes to look for.</param>
    /// <returns>Whether all of them are present.</returns>
    public bool HasScopes(params string[] scopes) => scopes.All(s => Scopes.Contains(s, StringComparer.Ordinal));

    /// <summary>
    /// Reads the identity from an authenticated principal of the <c>InternalToken</c> scheme.
    /// </summary>
    /// <param name="principal">The request's user.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="InvalidOperationException">The principal is not authenticated by an internal token.</exception>
    public static CallerIdentity FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var identity = principal.Identities.FirstOrDefault(i =>
            i.IsAuthenticated && i.AuthenticationType is InternalTokenDefaults.AuthenticationScheme or "TrustedHeaders")
            ?? throw new InvalidOperationException("The request is not authenticated with an internal token.");
        string? Find(string type) => identity.FindFirst(type)?.Value;
        return new CallerIdentity(
            Find(InternalTokenClaimTypes.Subject) ?? throw new InvalidOperationException("The internal token has no subject."),
            Find(InternalTokenClaimTypes.ClientId),
            Find(InternalTokenClaimTypes.TenantId),
            [.. identity.FindAll(InternalTokenClaimTypes.Scope).Select(c => c.Value)],
            Find(InternalTokenClaimTypes.Issuer),
            Find(InternalTokenClaimTypes.Audience),
            Find(InternalTokenClaimTypes.OriginalIssuer),
            Find(InternalTokenClaimTypes.TokenType),
            Find(InternalTokenClaimTypes.RequestId),
            [.. identity.FindAll(InternalTokenClaimTypes.Roles).Select(c => c.Value)],
            Find(InternalTokenClaimTypes.Email),
            ActorIdentity.Parse(Find(InternalTokenClaimTypes.Actor)));
    }
}

/// <summary>One actor of an RFC 8693 delegation chain: who acts, and (nested) on whose behalf it acted.</summary>
/// <param name="Subject">The actor's <c>sub</c>.</param>
/// <param name="ClientId">The actor's <c>client_id</c>, if any.</param>
/// <param name="Actor">The prior actor, if any (informational only, RFC 8693 §4.1: never used for authorization).</param>
public sealed record ActorIdentity(string? Subject, string? ClientId, ActorIdentity? Actor)
{
    private const int MaxDepth = 10;

    internal static ActorIdentity? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return FromElement(document.RootElement, 0);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ActorIdentity? FromElement(JsonElement element, int depth)
    {
        if (element.ValueKind != JsonValueKind.Object || depth >= MaxDepth)
        {
            return null;
        }

        string? Text(string name) => element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var nested = element.TryGetProperty("act", out var act) ? FromElement(act, depth + 1) : null;
        return new ActorIdentity(Text("sub"), Text("client_id"), nested);
    }
}
