using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.TokenExchange;

/// <summary>
/// Exchange mode: the caller's token is exchanged at the IdP for a token for <paramref name="audience"/> with the
/// route's scopes, and that token is forwarded. A refusal answers 401/403 and an unavailable IdP 503 with
/// Retry-After; in both cases nothing is forwarded, and never the original token. The cluster's delegation scopes
/// (<c>Propagation.DelegationScopes</c>) that the caller holds are requested too, so the service can delegate onward.
/// </summary>
internal sealed class TokenExchangeRequestTransform(
    TokenExchangeClient client, string audience, IReadOnlyList<string> routeScopes, IReadOnlyList<string>? delegationScopes = null) : RequestTransform
{
    private readonly string _scope = string.Join(' ', routeScopes);

    private readonly IReadOnlyList<string> _delegationScopes = [.. (delegationScopes ?? []).Except(routeScopes, StringComparer.Ordinal)];

    /// <summary>The scope requested for <paramref name="caller"/>: the route's, then the delegation scopes the caller holds.</summary>
    internal string ScopeFor(AuthenticatedCaller caller)
    {
        if (_delegationScopes.Count == 0)
        {
            return _scope;
        }

        var extra = _delegationScopes.Where(s => caller.Scopes.Contains(s, StringComparer.Ordinal));
        return string.Join(' ', routeScopes.Concat(extra));
    }

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ProxyRequest.Headers.Remove(HeaderNames.Authorization);
        var caller = context.HttpContext.Features.Get<AuthenticatedCaller>()
            ?? throw new InvalidOperationException("No authenticated caller on a route that requires one; refusing to forward.");
        if (string.IsNullOrEmpty(caller.AccessToken))
        {
            throw new InvalidOperationException("The caller has no access token to exchange; refusing to forward.");
        }

        try
        {
            var token = await client.ExchangeAsync(caller.AccessToken, caller.ExpiresAt, audience, ScopeFor(caller), caller.RevocationSubject, context.HttpContext.RequestAborted);
            context.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        catch (TokenExchangeRefusedException ex)
        {
            // A response written here stops YARP from sending the proxied request.
            await AuthenticationErrors.WriteErrorAsync(context.HttpContext, ex.Status, ex.Error, ex.Message);
        }
        catch (TokenExchangeUnavailableException ex)
        {
            context.HttpContext.Response.Headers.RetryAfter = TokenExchangeClient.FormatRetryAfter(ex.RetryAfter);
            await AuthenticationErrors.WriteErrorAsync(
                context.HttpContext,
                StatusCodes.Status503ServiceUnavailable,
                AuthenticationErrors.TemporarilyUnavailable,
                "The identity provider is unavailable to exchange the token; retry later.");
        }
    }
}
