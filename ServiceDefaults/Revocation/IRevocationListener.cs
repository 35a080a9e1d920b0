namespace Reference.ServiceDefaults.Revocation;

/// <summary>
/// A cache that holds tokens or what was derived from them: told of every revocation (received or caught up) so it
/// evicts what it concerns. Called on a background thread; keep it short and never throw.
/// </summary>
public interface IRevocationListener
{
    /// <summary>Evicts what <paramref name="revocation"/> concerns; returns how many entries were evicted.</summary>
    int OnRevoked(RevocationEntry revocation);
}

/// <summary>The identity of a token as the denylist sees it.</summary>
/// <param name="TokenIds">The token's <c>jti</c> and the <c>jti</c>s it derives from (<c>orig_jti</c>); nulls ignored.</param>
/// <param name="SessionId">The IdP session (<c>sid</c>), when known.</param>
/// <param name="Subject">The subject (<c>sub</c>).</param>
/// <param name="IssuedAt">When the original token was issued; unknown means "before any subject revocation".</param>
public readonly record struct RevocationSubject(IReadOnlyList<string?> TokenIds, string? SessionId, string? Subject, DateTimeOffset? IssuedAt)
{
    /// <summary>Whether <paramref name="revocation"/> concerns this token.</summary>
    public bool IsConcernedBy(RevocationEntry revocation)
    {
        switch (revocation.Kind)
        {
            case RevocationKind.TokenId:
                foreach (var id in TokenIds ?? [])
                {
                    if (string.Equals(id, revocation.Value, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            case RevocationKind.Session:
                return SessionId is not null && string.Equals(SessionId, revocation.Value, StringComparison.Ordinal);
            case RevocationKind.Subject:
                return Subject is not null && string.Equals(Subject, revocation.Value, StringComparison.Ordinal)
                    && (IssuedAt is not { } issued || issued <= revocation.RevokedAt);
            default:
                return false;
        }
    }
}

/// <summary>The answer of <c>RevocationDenylist.Check</c>.</summary>
public enum RevocationStatus
{
    /// <summary>Not on the denylist, which is synchronized (or allowed to be stale).</summary>
    NotRevoked,

    /// <summary>On the denylist: reject the token.</summary>
    Revoked,

    /// <summary>Not on the local denylist, but it has been unsynchronized longer than <see cref="RevocationOptions.FailClosedAfter"/>: refuse for now.</summary>
    Unknown,
}
