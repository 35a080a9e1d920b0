namespace Reference.IdentityProvider.Keys;

/// <summary>The keys the IdentityProvider signs with and publishes.</summary>
/// <remarks>Issue 4 adds rotation here: a next key is published before it signs, a retired key stays published
/// until every token it signed has expired, so <see cref="GetPublishedKeysAsync"/> may return more keys than
/// <see cref="GetSigningKeyAsync"/> ever hands out.</remarks>
internal interface ISigningKeyRing
{
    /// <summary>The key that signs new tokens with <paramref name="algorithm"/>.</summary>
    ValueTask<SigningKey> GetSigningKeyAsync(string algorithm, CancellationToken cancellationToken);

    /// <summary>Every key whose public half belongs in the JWKS.</summary>
    ValueTask<IReadOnlyList<SigningKey>> GetPublishedKeysAsync(CancellationToken cancellationToken);
}
