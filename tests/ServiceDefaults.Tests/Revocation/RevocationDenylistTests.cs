using System.Text;
using Reference.ServiceDefaults.Revocation;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.Revocation;

public sealed class RevocationDenylistTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public void Check_RevokedJti_IsRevokedUntilItsExp()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.TokenId, "jti-1", Start.AddMinutes(5), Start), "pubsub");

        Assert.Equal(RevocationStatus.Revoked, denylist.Check("jti-1", null, "alice", Start));
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("jti-2", null, "alice", Start));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("jti-1", null, "alice", Start));
        Assert.Equal(0, denylist.Count);
    }

    [Fact]
    public void Check_RevokedSid_RevokesEveryTokenOfTheSession()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.Session, "sid-1", Start.AddHours(1), Start), "pubsub");

        Assert.Equal(RevocationStatus.Revoked, denylist.Check("any", "sid-1", "alice", Start.AddMinutes(1)));
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("any", "sid-2", "alice", Start));
    }

    [Theory]
    [InlineData(-60, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void Check_RevokedSubject_RevokesTokensIssuedAtOrBeforeTheInstant(int issuedOffsetSeconds, bool revoked)
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.Subject, "alice", Start.AddHours(1), Start), "catchup");

        var status = denylist.Check("jti", null, "alice", Start.AddSeconds(issuedOffsetSeconds));

        Assert.Equal(revoked ? RevocationStatus.Revoked : RevocationStatus.NotRevoked, status);
    }

    [Fact]
    public void Check_RevokedSubjectAndUnknownIssueTime_FailsClosed()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.Subject, "alice", Start.AddHours(1), Start), "pubsub");

        Assert.Equal(RevocationStatus.Revoked, denylist.Check(null, null, "alice", null));
    }

    [Fact]
    public void Check_OriginalJtiOfADerivedToken_IsRevoked()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.TokenId, "original", Start.AddMinutes(5), Start), "pubsub");

        Assert.Equal(RevocationStatus.Revoked, denylist.Check(new RevocationSubject(["internal-jti", "original"], null, "alice", Start)));
    }

    [Fact]
    public void Add_AlreadyExpired_IsIgnored()
    {
        var denylist = RevocationTestSupport.Denylist(_time);

        Assert.False(denylist.Add(new RevocationEntry(RevocationKind.TokenId, "old", Start, Start), "pubsub"));
        Assert.Equal(0, denylist.Count);
    }

    [Fact]
    public void Add_TellsEveryListener()
    {
        var first = new RecordingListener();
        var second = new RecordingListener();
        var denylist = RevocationTestSupport.Denylist(_time, null, first, new ThrowingListener(), second);

        denylist.Add(new RevocationEntry(RevocationKind.Session, "sid", Start.AddMinutes(1), Start), "pubsub");

        Assert.Equal("sid", Assert.Single(first.Received).Value);
        Assert.Equal("sid", Assert.Single(second.Received).Value);
    }

    [Fact]
    public void Add_WhenFull_SweepsExpiredThenDropsTheSoonestExpiring()
    {
        var denylist = RevocationTestSupport.Denylist(_time, new RevocationOptions { MaxEntries = 100 });
        for (var i = 0; i < 100; i++)
        {
            denylist.Add(new RevocationEntry(RevocationKind.TokenId, "j" + i, Start.AddMinutes(10 + i), Start), "pubsub");
        }

        denylist.Add(new RevocationEntry(RevocationKind.TokenId, "new", Start.AddHours(5), Start), "pubsub");

        Assert.Equal(100, denylist.Count);
        Assert.Equal(1, denylist.Dropped);
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("j0", null, null, Start));
        Assert.Equal(RevocationStatus.Revoked, denylist.Check("j1", null, null, Start));
        Assert.Equal(RevocationStatus.Revoked, denylist.Check("new", null, null, Start));
    }

    [Fact]
    public void Sweep_DropsOnlyExpiredEntries()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.TokenId, "short", Start.AddMinutes(1), Start), "pubsub");
        denylist.Add(new RevocationEntry(RevocationKind.Subject, "alice", Start.AddMinutes(1), Start), "pubsub");
        denylist.Add(new RevocationEntry(RevocationKind.Session, "long", Start.AddHours(1), Start), "pubsub");
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(2, denylist.Sweep());
        Assert.Equal(1, denylist.Count);
    }

    [Fact]
    public void Check_UnsynchronizedPastFailClosedAfter_IsUnknown()
    {
        var denylist = RevocationTestSupport.Denylist(_time, new RevocationOptions { FailClosedAfter = TimeSpan.FromSeconds(30) });

        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("jti", null, "alice", Start));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(RevocationStatus.Unknown, denylist.Check("jti", null, "alice", Start));
        denylist.MarkSynchronized();
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("jti", null, "alice", Start));
    }

    [Fact]
    public void Check_UnsynchronizedWithoutFailClosedAfter_KeepsApplyingWhatItKnows()
    {
        var denylist = RevocationTestSupport.Denylist(_time);
        denylist.Add(new RevocationEntry(RevocationKind.TokenId, "known", Start.AddHours(2), Start), "pubsub");
        _time.Advance(TimeSpan.FromHours(1));

        Assert.False(denylist.IsSynchronized);
        Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("other", null, "alice", Start));
        Assert.Equal(RevocationStatus.Revoked, denylist.Check("known", null, "alice", Start));
    }

    [Theory]
    [InlineData("""{"type":"jti","value":"abc","exp":1900000000}""", RevocationKind.TokenId, "abc")]
    [InlineData("""{"type":"family","value":"fam","exp":1900000000}""", RevocationKind.Family, "fam")]
    [InlineData("""{"type":"sid","value":"s1","exp":1900000000}""", RevocationKind.Session, "s1")]
    [InlineData("""{"type":"sub","value":"alice","exp":1900000000,"iat":1800000000}""", RevocationKind.Subject, "alice")]
    public void ParseMessage_ValidContractMessage_IsRead(string json, RevocationKind kind, string value)
    {
        var parsed = RevocationContract.ParseMessage(Encoding.UTF8.GetBytes(json), Start);

        Assert.NotNull(parsed);
        Assert.Equal(kind, parsed.Value.Kind);
        Assert.Equal(value, parsed.Value.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1900000000), parsed.Value.ExpiresAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":"jwt","value":"abc","exp":1900000000}""")]
    [InlineData("""{"type":"jti","value":"","exp":1900000000}""")]
    [InlineData("""{"type":"jti","value":"abc"}""")]
    [InlineData("""{"type":"jti","value":"abc","exp":"1900000000"}""")]
    [InlineData("""{"type":"jti","value":1,"exp":1900000000}""")]
    [InlineData("""{"type":"jti","value":"abc","exp":-1}""")]
    public void ParseMessage_Malformed_IsNull(string json) =>
        Assert.Null(RevocationContract.ParseMessage(Encoding.UTF8.GetBytes(json), Start));

    [Theory]
    [InlineData("revoked:jti:abc", "1800000000", RevocationKind.TokenId, "abc")]
    [InlineData("revoked:sid:s:with:colons", "1800000000", RevocationKind.Session, "s:with:colons")]
    [InlineData("revoked:sub:alice", "1800000000", RevocationKind.Subject, "alice")]
    public void ParseKey_DenylistKey_IsRead(string key, string value, RevocationKind kind, string expected)
    {
        var parsed = RevocationContract.ParseKey(key, value, TimeSpan.FromMinutes(5), Start);

        Assert.NotNull(parsed);
        Assert.Equal(kind, parsed.Value.Kind);
        Assert.Equal(expected, parsed.Value.Value);
        Assert.Equal(Start.AddMinutes(5), parsed.Value.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1800000000), parsed.Value.RevokedAt);
    }

    [Theory]
    [InlineData("revoked:jti:")]
    [InlineData("revoked:family:f")]
    [InlineData("revoked:other:x")]
    [InlineData("session:abc")]
    public void ParseKey_NotADenylistKey_IsNull(string key) =>
        Assert.Null(RevocationContract.ParseKey(key, "1", TimeSpan.FromMinutes(5), Start));

    private sealed class RecordingListener : IRevocationListener
    {
        public List<RevocationEntry> Received { get; } = [];

        public int OnRevoked(RevocationEntry revocation)
        {
            Received.Add(revocation);
            return 1;
        }
    }

    private sealed class ThrowingListener : IRevocationListener
    {
        public int OnRevoked(RevocationEntry revocation) => throw new InvalidOperationException("broken cache");
    }
}
