namespace Reference.IdentityProvider.Keys;

/// <summary>Persists signing keys so that restarts and replicas sign with, and publish, the same keys.</summary>
/// <remarks>Keys are immutable once stored. Each algorithm has a sequence of generations; creating a generation is
/// atomic across every process sharing the store, so replicas never end up with two different keys for one
/// generation.</remarks>
internal interface ISigningKeyStore
{
    /// <summary>Every stored key for <paramref name="algorithm"/>, oldest generation first.</summary>
    Task<IReadOnlyList<SigningKey>> LoadAllAsync(string algorithm, CancellationToken cancellationToken);

    /// <summary>Stores a new key as <paramref name="generation"/> unless that generation exists already; either way
    /// returns the stored key, with <c>Created</c> telling whether this call created it.</summary>
    Task<(SigningKey Key, bool Created)> CreateAsync(string algorithm, int generation, DateTimeOffset activatesAt, DateTimeOffset retiresAt, CancellationToken cancellationToken);

    /// <summary>Removes a key that no token still in circulation was signed with; a key already removed is no error.</summary>
    void Delete(SigningKey key);
}
