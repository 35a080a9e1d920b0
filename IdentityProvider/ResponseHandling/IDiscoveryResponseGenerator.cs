namespace Reference.IdentityProvider.ResponseHandling;

internal interface IDiscoveryResponseGenerator
{
    ValueTask<DiscoveryDocument> CreateDiscoveryDocumentAsync(CancellationToken cancellationToken);
}
