using System.Security.Claims;
using Reference.ServiceDefaults.InternalTokens;

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
}
