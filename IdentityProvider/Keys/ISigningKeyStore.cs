namespace Reference.IdentityProvider.Keys;

/// <summary>Persists signing keys so that restarts and replicas sign with, and publish, the same keys.</summary>
/// <remarks>Issue 4 extends this for rotation (several keys per algorithm with activation and retirement times)
/// and adds a Redis-backed implementation shared by replicas that do not share a disk.</remarks>
internal interface ISigningKeyStore
{
    /// <summary>Returns the stored key for <paramref name="algorithm"/>, creating it when none exists. Concurrent
    /// callers, in this process or in another one sharing the store, all receive the same key.</summary>
    Task<SigningKey> GetOrCreateAsync(string algorithm, CancellationToken cancellationToken);
}
