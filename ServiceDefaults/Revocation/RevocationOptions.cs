namespace Reference.ServiceDefaults.Revocation;

/// <summary>How a gateway or service consumes the IdP's revocations (configuration section <c>Revocation</c>).</summary>
public sealed class RevocationOptions
{
    /// <summary>The configuration section: <c>Revocation</c>.</summary>
    public const string SectionName = "Revocation";

    /// <summary>Whether the consumer runs (<c>Revocation:Enabled</c>); default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The pub/sub channel (<c>Revocation:Channel</c>); default <c>reference:revocations</c>.</summary>
    public string Channel { get; set; } = RevocationContract.Channel;

    /// <summary>
    /// The most entries the in-memory denylist holds (<c>Revocation:MaxEntries</c>); default 200,000 (a few tens of
    /// MB). Entries leave at their <c>exp</c>; when full, expired entries are swept first, then the entry that expires
    /// soonest is dropped (logged and counted, and readiness reports Degraded).
    /// </summary>
    public int MaxEntries { get; set; } = 200_000;

    /// <summary>
    /// How long the denylist may be unsynchronized (never caught up, or the subscription lost) before a request
    /// whose revocation state cannot be known is refused (<c>Revocation:FailClosedAfter</c>). Default unset: the
    /// local denylist keeps being applied (what was learnt stays denied) and what is revoked meanwhile is learnt on
    /// reconnect, which is the JWT baseline (a token is otherwise honoured until its <c>exp</c>).
    /// </summary>
    public TimeSpan? FailClosedAfter { get; set; }

    /// <summary>Delay between attempts to subscribe or to catch up while Redis is unreachable (<c>Revocation:RetryDelay</c>); default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>SCAN page size for the catch-up (<c>Revocation:ScanPageSize</c>); default 1000.</summary>
    public int ScanPageSize { get; set; } = 1000;
}
