namespace Reference.IdentityProvider.Keys;

/// <summary>The keys the IdentityProvider signs with and publishes.</summary>
/// <remarks>A next key is published before it signs and a retired key stays published until every token it signed
/// has expired, so <see cref="GetPublishedKeysAsync"/> returns more keys than <see cref="GetSigningKeyAsync"/>
/// hands out.</remarks>
internal interface ISigningKeyRing
{
    /// <summary>The key that signs new tokens with <paramref name="algorithm"/> now.</summary>
    ValueTask<SigningKey> GetSigningKeyAsync(string algorithm, CancellationToken cancellationToken);

    /// <summary>Every key whose public half belongs in the JWKS (and that verifies our own tokens).</summary>
    ValueTask<IReadOnlyList<SigningKey>> GetPublishedKeysAsync(CancellationToken cancellationToken);

    /// <summary>Re-reads the store, creates a due successor and deletes keys past retention.</summary>
    Task RotateIfDueAsync(CancellationToken cancellationToken);
}
