namespace Reference.IdentityProvider.ResponseHandling;

internal interface IJwksResponseGenerator
{
    ValueTask<JsonWebKeySetDocument> CreateJwksDocumentAsync(CancellationToken cancellationToken);
}
