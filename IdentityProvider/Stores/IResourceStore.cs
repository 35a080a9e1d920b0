namespace Reference.IdentityProvider.Stores;

internal interface IResourceStore
{
    ValueTask<IReadOnlyList<ApiResource>> GetAllApiResourcesAsync(CancellationToken cancellationToken);
}
