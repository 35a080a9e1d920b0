using System.Security.Claims;
using Reference.ServiceDefaults.InternalTokens;
using Reference.ServiceDefaults.Revocation;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Get_BeforeExp_ReturnsPrincipal_AtExp_ReturnsNull()
    {
        var cache = new ValidatedTokenCache();
        var principal = new ClaimsPrincipal(new ClaimsIdentity("test"));
        cache.Set(ValidatedTokenCache.Key("t1"), principal, Now.AddSeconds(10), Now, capacity: 10);

        Assert.Same(principal, cache.Get(ValidatedTokenCache.Key("t1"), Now.AddSeconds(9)));
        Assert.Null(cache.Get(ValidatedTokenCache.Key("t1"), Now.AddSeconds(10)));
    }

    [Fact]
    public void Set_AtCapacity_StaysBounded()
    {
        var cache = new ValidatedTokenCache();
        for (var i = 0; i < 50; i++)
        {
            cache.Set(ValidatedTokenCache.Key("t" + i), new ClaimsPrincipal(), Now.AddMinutes(5), Now, capacity: 8);
        }

        Assert.InRange(cache.Count, 1, 8);
    }

    [Fact]
    public void Key_IsSha256Hex_NotTheToken()
    {
        var key = ValidatedTokenCache.Key("secret-token");

        Assert.Equal(64, key.Length);
        Assert.DoesNotContain("secret", key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RevocationKind.TokenId, "orig-1", true)]
    [InlineData(RevocationKind.TokenId, "minted-1", true)]
    [InlineData(RevocationKind.TokenId, "other", false)]
    [InlineData(RevocationKind.Session, "sid-1", true)]
    [InlineData(RevocationKind.Subject, "alice", true)]
    [InlineData(RevocationKind.Subject, "bob", false)]
    [InlineData(RevocationKind.Family, "orig-1", false)]
    public void OnRevoked_EvictsTheEntriesItConcerns(RevocationKind kind, string value, bool evicted)
    {
        var cache = new ValidatedTokenCache();
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim("jti", "minted-1"),
                new Claim(InternalTokenClaimTypes.OriginalTokenId, "orig-1"),
                new Claim(InternalTokenClaimTypes.SessionId, "sid-1"),
                new Claim(InternalTokenClaimTypes.Subject, "alice"),
                new Claim(InternalTokenClaimTypes.OriginalIssuedAt, Now.AddMinutes(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            "test"));
        cache.Set(ValidatedTokenCache.Key("t1"), principal, Now.AddMinutes(5), Now, capacity: 10);

        var count = cache.OnRevoked(new RevocationEntry(kind, value, Now.AddMinutes(5), Now));

        Assert.Equal(evicted ? 1 : 0, count);
        Assert.Equal(evicted, cache.Get(ValidatedTokenCache.Key("t1"), Now) is null);
    }

    [Fact]
    public void OnRevoked_SubjectRevokedBeforeTheOriginalWasIssued_KeepsTheEntry()
    {
        var cache = new ValidatedTokenCache();
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(InternalTokenClaimTypes.Subject, "alice"),
                new Claim(InternalTokenClaimTypes.OriginalIssuedAt, Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            "test"));
        cache.Set(ValidatedTokenCache.Key("t1"), principal, Now.AddMinutes(5), Now, capacity: 10);

        Assert.Equal(0, cache.OnRevoked(new RevocationEntry(RevocationKind.Subject, "alice", Now.AddMinutes(5), Now.AddSeconds(-1))));
    }
}
