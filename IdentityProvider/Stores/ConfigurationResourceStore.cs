using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Stores;

/// <summary>API resources from the validated <c>IdentityProvider:ApiResources</c> configuration, read once.</summary>
internal sealed class ConfigurationResourceStore(IOptions<IdentityProviderOptions> options) : IResourceStore
{
    private readonly Lazy<IReadOnlyList<ApiResource>> _resources = new(() =>
    [
        .. options.Value.ApiResources
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new ApiResource(pair.Key, [.. pair.Value.Scopes.Distinct(StringComparer.Ordinal)], pair.Value.SigningAlgorithm)
            {
                SecretHashes = [.. pair.Value.SecretHashes.Select(h => SecretHash.TryParse(h, out var hash) ? hash : throw new InvalidOperationException("Unvalidated secret hash."))],
                Uri = pair.Value.Uri,
            }),
    ]);

    public ValueTask<IReadOnlyList<ApiResource>> GetAllApiResourcesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_resources.Value);
}
