namespace Reference.IdentityProvider.Keys;

/// <summary>One current key per supported algorithm, loaded (or created) once from the store.</summary>
internal sealed class SigningKeyRing(ISigningKeyStore store) : ISigningKeyRing, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IReadOnlyList<SigningKey>? _keys;

    public async ValueTask<SigningKey> GetSigningKeyAsync(string algorithm, CancellationToken cancellationToken)
    {
        foreach (var key in await GetPublishedKeysAsync(cancellationToken))
        {
            if (string.Equals(key.Algorithm, algorithm, StringComparison.Ordinal))
            {
                return key;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "No signing key for this algorithm.");
    }

    public async ValueTask<IReadOnlyList<SigningKey>> GetPublishedKeysAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } keys)
        {
            return keys;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_keys is { } loaded)
            {
                return loaded;
            }

            var result = new List<SigningKey>(SigningAlgorithms.Supported.Count);
            foreach (var algorithm in SigningAlgorithms.Supported)
            {
                result.Add(await store.GetOrCreateAsync(algorithm, cancellationToken));
            }

            _keys = result;
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys ?? [])
        {
            key.Dispose();
        }

        _gate.Dispose();
    }
}
