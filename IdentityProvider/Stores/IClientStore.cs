namespace Reference.IdentityProvider.Stores;

/// <summary>Looks clients up by id. Asynchronous so that issue 4 can add a seed-file or Redis-backed store.</summary>
internal interface IClientStore
{
    ValueTask<Client?> FindClientByIdAsync(string clientId, CancellationToken cancellationToken);
}
