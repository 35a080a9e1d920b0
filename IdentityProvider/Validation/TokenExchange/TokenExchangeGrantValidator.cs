using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Stores;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;
using static Reference.IdentityProvider.Validation.TokenExchange.TokenExchangeConstants;

namespace Reference.IdentityProvider.Validation.TokenExchange;

/// <summary>
/// RFC 8693 token exchange. The subject token (and the actor token, when sent) must be one of our own access tokens,
/// validated fully by <see cref="SubjectTokenValidator"/>; anything else is <c>invalid_request</c> with one generic
/// description, so the answer does not tell an attacker which check failed.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Delegation vs impersonation is the client's policy, not the request's: a client whose policy allows
/// impersonation and that sends no <c>actor_token</c> gets a token without a new <c>act</c>; every other exchange
/// is delegation and yields <c>act</c> — from the validated actor token (its <c>sub</c> and <c>client_id</c>), or
/// else the authenticated client (<c>{"sub": client_id, "client_id": client_id}</c>). Never from a request
/// parameter, and never from the subject token's own <c>act</c>, which is only ever nested (§4.1).</item>
/// <item><c>may_act</c> (§4.4) in the subject token is enforced: the actor (or, for impersonation, the client) must
/// match its <c>sub</c> and/or <c>client_id</c>, else <c>invalid_request</c>.</item>
/// <item>Targets: one <c>audience</c> (an API resource name) and/or one <c>resource</c> (an API resource's
/// configured absolute <c>Uri</c>); the form reader rejects repeated parameters, so at most one of each. Every
/// target must be in the policy's <c>AllowedAudiences</c>, else <c>invalid_target</c>; <c>aud</c> is exactly the
/// targets.</item>
/// <item>Scopes may only narrow: requested ⊆ subject token scopes ∩ (targets' scopes ∪ the policy's
/// <c>DelegationScopes</c> for the targets) ∩ the client's AllowedScopes; the default (no <c>scope</c>) is the
/// intersection with the targets' own scopes only; empty is <c>invalid_scope</c>.</item>
/// <item>Lifetime: min(policy MaxTokenLifetime, client lifetime, the subject token's remaining lifetime).</item>
/// </list>
/// </remarks>
internal sealed class TokenExchangeGrantValidator(
    SubjectTokenValidator tokenValidator,
    IResourceStore resources,
    TimeProvider timeProvider,
    ILogger<TokenExchangeGrantValidator> logger,
    ILoggerFactory loggerFactory) : IGrantValidator
{
    private readonly ILogger _securityLog = loggerFactory.CreateLogger(SecurityEventLog.CategoryName);

    /// <summary>Longest delegation chain accepted (nested <c>act</c> depth), so tokens stay bounded.</summary>
    public const int MaxActorChainDepth = 5;

    private const string InvalidSubjectToken = "The subject_token is not a valid, active access token issued by this server.";
    private const string InvalidActorToken = "The actor_token is not a valid, active access token issued by this server.";

    public string GrantType => GrantTypes.TokenExchange;

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

        if (client.TokenExchange is not { } policy)
        {
            return Fail(Errors.UnauthorizedClient, "The client has no token-exchange policy.");
        }

        if (!parameters.TryGetValue(SubjectToken, out var subjectToken) || !parameters.TryGetValue(SubjectTokenType, out var subjectTokenType))
        {
            return Fail(Errors.InvalidRequest, "subject_token and subject_token_type are required (RFC 8693 §2.1).");
        }

        if (!IsSupportedInputType(subjectTokenType))
        {
            return Fail(Errors.InvalidRequest, $"subject_token_type must be {AccessTokenType} or {JwtTokenType}.");
        }

        parameters.TryGetValue(ActorToken, out var actorToken);
        parameters.TryGetValue(ActorTokenType, out var actorTokenType);
        if ((actorToken is null) != (actorTokenType is null))
        {
            return Fail(Errors.InvalidRequest, "actor_token_type is required when actor_token is present, and must be omitted otherwise (RFC 8693 §2.1).");
        }

        if (actorTokenType is not null && !IsSupportedInputType(actorTokenType))
        {
            return Fail(Errors.InvalidRequest, $"actor_token_type must be {AccessTokenType} or {JwtTokenType}.");
        }

        var issuedTokenType = parameters.GetValueOrDefault(RequestedTokenType) ?? AccessTokenType;
        if (!IsSupportedInputType(issuedTokenType))
        {
            return Fail(Errors.InvalidRequest, $"requested_token_type must be {AccessTokenType} or {JwtTokenType}.");
        }

        var targetResult = await ResolveTargetsAsync(client, policy, parameters, cancellationToken);
        if (targetResult.Error is { } targetError)
        {
            return targetError;
        }

        var targets = targetResult.Targets!;

        JsonWebToken subject;
        JsonWebToken? actor = null;
        try
        {
            var (validatedSubject, subjectFailure) = await tokenValidator.ValidateAsync(subjectToken, cancellationToken);
            if (validatedSubject is null)
            {
                SecurityEventLog.ForeignTokenPresented(_securityLog, client.ClientId, SubjectToken, subjectFailure, SecurityEventLog.Fingerprint(subjectToken));
                return Fail(Errors.InvalidRequest, InvalidSubjectToken);
            }

            subject = validatedSubject;
            if (actorToken is not null)
            {
                var (validatedActor, actorFailure) = await tokenValidator.ValidateAsync(actorToken, cancellationToken);
                if (validatedActor is null)
                {
                    SecurityEventLog.ForeignTokenPresented(_securityLog, client.ClientId, ActorToken, actorFailure, SecurityEventLog.Fingerprint(actorToken));
                    return Fail(Errors.InvalidRequest, InvalidActorToken);
                }

                actor = validatedActor;
            }
        }
        catch (RedisException)
        {
            return Fail(Errors.TemporarilyUnavailable, "The revocation list is unavailable; try again later.");
        }

        using var subjectPayload = ParsePayload(subject);
        var subjectClaims = subjectPayload.RootElement;
        if (!subjectClaims.TryGetProperty(Claims.Subject, out var subClaim) || subClaim.ValueKind != JsonValueKind.String)
        {
            return Fail(Errors.InvalidRequest, InvalidSubjectToken);
        }

        var subjectId = subClaim.GetString()!;

        if (client.AllowedTenants.Count > 0
            && (!subjectClaims.TryGetProperty("tenant_id", out var tenant) || tenant.ValueKind != JsonValueKind.String || !client.AllowedTenants.Contains(tenant.GetString()!)))
        {
            return Fail(Errors.InvalidRequest, "The subject's tenant is not allowed for this client.");
        }

        // The current actor: the validated actor token, else the client itself; only this ever becomes act.sub.
        string actorSub;
        string? actorClientId;
        if (actor is not null)
        {
            actorSub = actor.Subject;
            actorClientId = actor.TryGetPayloadValue<string>(Claims.ClientId, out var c) ? c : null;
        }
        else
        {
            actorSub = client.ClientId;
            actorClientId = client.ClientId;
        }

        if (subjectClaims.TryGetProperty(MayActClaim, out var mayAct) && !MayActAllows(mayAct, actorSub, actorClientId))
        {
            SecurityEventLog.MayActViolated(_securityLog, client.ClientId, actorSub);
            return Fail(Errors.InvalidRequest, "The subject token's may_act does not authorize this actor (RFC 8693 §4.4).");
        }

        JsonObject? previousAct = null;
        if (subjectClaims.TryGetProperty(ActClaim, out var act))
        {
            if (act.ValueKind != JsonValueKind.Object || Depth(act) >= MaxActorChainDepth)
            {
                return Fail(Errors.InvalidRequest, "The subject token's delegation chain is malformed or too long.");
            }

            previousAct = (JsonObject)JsonNode.Parse(act.GetRawText())!;
        }

        var impersonate = actor is null && policy.AllowImpersonation;
        JsonObject? newAct;
        if (impersonate)
        {
            // Impersonation adds no actor, but never launders an existing chain away.
            newAct = previousAct;
        }
        else
        {
            newAct = new JsonObject { [Claims.Subject] = actorSub };
            if (actorClientId is not null)
            {
                newAct[Claims.ClientId] = actorClientId;
            }

            if (previousAct is not null)
            {
                newAct[ActClaim] = previousAct;
            }
        }

        var scopeResult = ResolveScopes(client, parameters, subjectClaims, targets);
        if (scopeResult.Error is { } scopeError)
        {
            return scopeError;
        }

        var now = timeProvider.GetUtcNow();
        var subjectExpires = new DateTimeOffset(subject.ValidTo, TimeSpan.Zero);
        if (subjectExpires - now < TimeSpan.FromSeconds(1))
        {
            SecurityEventLog.ForeignTokenPresented(_securityLog, client.ClientId, SubjectToken, "expires within a second", SecurityEventLog.Fingerprint(subjectToken));
            return Fail(Errors.InvalidRequest, InvalidSubjectToken);
        }

        var expiresNoLaterThan = now + policy.MaxTokenLifetime < subjectExpires ? now + policy.MaxTokenLifetime : subjectExpires;

        var additionalClaims = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in CarriedClaims)
        {
            if (subjectClaims.TryGetProperty(name, out var value))
            {
                additionalClaims[name] = value.Clone();
            }
        }

        // Revocation reaches exchanged tokens: they name the token they derive from (the first of a chain) and its
        // session, so a service rejects them once the original jti, its sid or its subject is revoked.
        additionalClaims["orig_jti"] = StringClaim(subjectClaims, "orig_jti") ?? subject.Id;
        if ((NumberClaim(subjectClaims, "orig_iat") ?? NumberClaim(subjectClaims, "iat")) is { } originalIssuedAt)
        {
            additionalClaims["orig_iat"] = originalIssuedAt;
        }

        var sessionId = StringClaim(subjectClaims, "sid");
        var audience = string.Join(' ', targets.Select(t => t.Name));

        // On the token endpoint's Activity: what was exchanged, never the tokens.
        Activity.Current?.SetTag("oauth.token_exchange.mode", impersonate ? "impersonation" : "delegation");
        Activity.Current?.SetTag("oauth.token_exchange.audience", audience);
        TokenExchangeLog.Exchanged(logger, client.ClientId, impersonate ? "impersonation" : "delegation", audience, actorSub);
        return TokenRequestValidationResult.Success(new ValidatedTokenRequest(client, GrantTypes.TokenExchange, scopeResult.Scopes!, targets)
        {
            SubjectId = subjectId,
            Actor = newAct,
            IssuedTokenType = issuedTokenType,
            ExpiresNoLaterThan = expiresNoLaterThan,
            AdditionalClaims = additionalClaims,
            SessionId = sessionId,
        });
    }

    private static string? StringClaim(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static long? NumberClaim(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    /// <summary>RFC 8707 §2. The explicit scheme check matters on Unix, where "/path" parses as an absolute file URI.</summary>
    internal static bool IsAbsoluteUriWithoutFragment(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase)
        && uri.Fragment.Length == 0
        && !value.Contains('#', StringComparison.Ordinal);

    private static TokenRequestValidationResult Fail(string error, string description) => TokenRequestValidationResult.Failure(error, description);

    private static JsonDocument ParsePayload(JsonWebToken token) =>
        JsonDocument.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.EncodedPayload)));

    private static int Depth(JsonElement act)
    {
        var depth = 1;
        while (act.ValueKind == JsonValueKind.Object && act.TryGetProperty(ActClaim, out act))
        {
            depth++;
        }

        return depth;
    }

    /// <summary>§4.4: <c>may_act</c> names the party allowed to act; every identifying member it carries must match.</summary>
    private static bool MayActAllows(JsonElement mayAct, string actorSub, string? actorClientId)
    {
        if (mayAct.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var constrained = false;
        if (mayAct.TryGetProperty(Claims.Subject, out var sub))
        {
            constrained = true;
            if (sub.ValueKind != JsonValueKind.String || !string.Equals(sub.GetString(), actorSub, StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (mayAct.TryGetProperty(Claims.ClientId, out var clientId))
        {
            constrained = true;
            if (clientId.ValueKind != JsonValueKind.String || !string.Equals(clientId.GetString(), actorClientId, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return constrained;
    }

    private async ValueTask<(IReadOnlyList<ApiResource>? Targets, TokenRequestValidationResult? Error)> ResolveTargetsAsync(
        Client client,
        TokenExchangePolicy policy, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        parameters.TryGetValue(Audience, out var audience);
        parameters.TryGetValue(Resource, out var resource);
        if (audience is null && resource is null)
        {
            return (null, Fail(Errors.InvalidRequest, "audience or resource is required: name the API the token is for."));
        }

        var all = await resources.GetAllApiResourcesAsync(cancellationToken);
        var targets = new List<ApiResource>(2);
        if (audience is not null)
        {
            var match = all.FirstOrDefault(r => string.Equals(r.Name, audience, StringComparison.Ordinal));
            if (match is null || !policy.AllowedAudiences.Contains(match.Name))
            {
                SecurityEventLog.EscalationRefused(_securityLog, client.ClientId, Audience, audience);
                return (null, Fail(InvalidTarget, "The requested audience is unknown or not allowed for this client."));
            }

            targets.Add(match);
        }

        if (resource is not null)
        {
            // RFC 8707 §2: an absolute URI without a fragment.
            if (!IsAbsoluteUriWithoutFragment(resource))
            {
                return (null, Fail(Errors.InvalidRequest, "resource must be an absolute URI without a fragment (RFC 8707 §2)."));
            }

            var match = all.FirstOrDefault(r => r.Uri is not null && string.Equals(r.Uri, resource, StringComparison.Ordinal));
            if (match is null || !policy.AllowedAudiences.Contains(match.Name))
            {
                SecurityEventLog.EscalationRefused(_securityLog, client.ClientId, Resource, resource);
                return (null, Fail(InvalidTarget, "The requested resource is unknown or not allowed for this client."));
            }

            if (!targets.Contains(match))
            {
                targets.Add(match);
            }
        }

        return (targets, null);
    }

    private (IReadOnlyList<string>? Scopes, TokenRequestValidationResult? Error) ResolveScopes(
        Client client, IReadOnlyDictionary<string, string> parameters, JsonElement subjectClaims, IReadOnlyList<ApiResource> targets)
    {
        var subjectScopes = subjectClaims.TryGetProperty(Claims.Scope, out var scopeClaim) && scopeClaim.ValueKind == JsonValueKind.String
            ? ScopeSyntax.Parse(scopeClaim.GetString()!) ?? []
            : [];

        // Order follows the targets' configuration, so the default scope string is stable.
        var grantable = targets
            .SelectMany(t => t.Scopes)
            .Distinct(StringComparer.Ordinal)
            .Where(s => subjectScopes.Contains(s, StringComparer.Ordinal) && client.AllowedScopes.Contains(s, StringComparer.Ordinal))
            .ToList();

        if (parameters.TryGetValue(Claims.Scope, out var scopeParameter))
        {
            var requested = ScopeSyntax.Parse(scopeParameter);
            if (requested is null)
            {
                return (null, Fail(Errors.InvalidScope, "The scope parameter is malformed (RFC 6749 §3.3)."));
            }

            // Onward delegation: scopes of other APIs this client's policy lets a token for these targets carry,
            // only when asked for explicitly, and still only what the subject token and the client allow.
            var delegable = targets
                .SelectMany(t => client.TokenExchange!.DelegationScopes.TryGetValue(t.Name, out var extra) ? extra : (IEnumerable<string>)[])
                .Where(s => subjectScopes.Contains(s, StringComparer.Ordinal) && client.AllowedScopes.Contains(s, StringComparer.Ordinal));
            grantable.AddRange(delegable.Except(grantable, StringComparer.Ordinal));

            if (!requested.All(s => grantable.Contains(s, StringComparer.Ordinal)))
            {
                SecurityEventLog.EscalationRefused(_securityLog, client.ClientId, Claims.Scope, scopeParameter);
                return (null, Fail(Errors.InvalidScope, "A requested scope exceeds the subject token's scopes, the target's scopes or the client's allowed scopes."));
            }

            return (requested, null);
        }

        return grantable.Count == 0
            ? (null, Fail(Errors.InvalidScope, "The subject token carries no scope of the requested target that this client may obtain."))
            : (grantable, null);
    }
}
