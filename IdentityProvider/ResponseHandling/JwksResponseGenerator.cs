using Reference.IdentityProvider.Keys;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>The public half of every published key; <see cref="PublicJsonWebKey"/> has no member that could carry
/// private material.</summary>
internal sealed class JwksResponseGenerator(ISigningKeyRing keyRing) : IJwksResponseGenerator
{
    public async ValueTask<JsonWebKeySetDocument> CreateJwksDocumentAsync(CancellationToken cancellationToken)
    {
        var keys = await keyRing.GetPublishedKeysAsync(cancellationToken);
        return new JsonWebKeySetDocument([.. keys.Select(k => k.PublicJwk)]);
    }
}
