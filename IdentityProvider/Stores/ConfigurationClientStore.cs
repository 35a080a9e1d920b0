using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Stores;

/// <summary>Clients from the validated <c>IdentityProvider:Clients</c> configuration, read once.</summary>
internal sealed class ConfigurationClientStore(IOptions<IdentityProviderOptions> options) : IClientStore
{
    private readonly Lazy<FrozenDictionary<string, Client>> _clients = new(() => Build(options.Value));

    public ValueTask<Client?> FindClientByIdAsync(string clientId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_clients.Value.GetValueOrDefault(clientId));

    private static FrozenDictionary<string, Client> Build(IdentityProviderOptions options) =>
        options.Clients.ToFrozenDictionary(
            pair => pair.Key,
            pair => new Client(
                pair.Key,
                [.. pair.Value.SecretHashes.Select(h => SecretHash.TryParse(h, out var hash) ? hash : throw new InvalidOperationException("Unvalidated secret hash."))],
                pair.Value.AllowedGrantTypes.ToFrozenSet(StringComparer.Ordinal),
                [.. pair.Value.AllowedScopes.Distinct(StringComparer.Ordinal)],
                pair.Value.Claims.ToFrozenDictionary(StringComparer.Ordinal),
                pair.Value.AccessTokenLifetime)
            {
                RedirectUris = [.. pair.Value.RedirectUris],
                PostLogoutRedirectUris = [.. pair.Value.PostLogoutRedirectUris],
                BackChannelLogoutUri = pair.Value.BackChannelLogoutUri,
                IsPublic = pair.Value.IsPublic,
                AllowedTenants = pair.Value.AllowedTenants.ToFrozenSet(StringComparer.Ordinal),
                AllowOfflineAccess = pair.Value.AllowOfflineAccess,
                RefreshTokenSlidingLifetime = pair.Value.RefreshTokenSlidingLifetime,
                RefreshTokenAbsoluteLifetime = pair.Value.RefreshTokenAbsoluteLifetime,
                UsesReferenceTokens = string.Equals(pair.Value.AccessTokenType, "Reference", StringComparison.OrdinalIgnoreCase),
                JsonWebKeySet = pair.Value.JsonWebKeySet,
                AllowSubjectRevocation = pair.Value.AllowSubjectRevocation,
                TokenExchange = pair.Value.TokenExchange is { } exchange
                    ? new TokenExchangePolicy(exchange.AllowedAudiences.ToFrozenSet(StringComparer.Ordinal), exchange.AllowImpersonation, exchange.MaxTokenLifetime)
                    {
                        DelegationScopes = exchange.DelegationScopes.ToFrozenDictionary(
                            d => d.Key, d => (IReadOnlySet<string>)d.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal),
                    }
                    : null,
            },
            StringComparer.Ordinal);
}
