using System.Net;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.ServiceDefaults.Tests.RateLimiting;

public sealed class ClientAddressAndOptionsTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData(null, "unknown")]
    public void PartitionKey_Address_IsNormalised(string? address, string expected) =>
        Assert.Equal(expected, ClientAddress.PartitionKey(address is null ? null : IPAddress.Parse(address)));

    [Theory]
    [InlineData(0, 1, 1, "X:PermitLimit")]
    [InlineData(1, 0, 1, "X:Period")]
    [InlineData(1, 1, 0, "X:Burst")]
    public void RuleValidate_InvalidValue_NamesTheKey(int permits, int periodSeconds, int burst, string expectedKey)
    {
        var failures = new List<string>();
        RateLimitRule.Create(permits, TimeSpan.FromSeconds(periodSeconds), burst).Validate("X", failures);

        Assert.Contains(failures, f => f.StartsWith(expectedKey, StringComparison.Ordinal));
    }

    [Fact]
    public void LockoutValidate_InvalidValues_NameTheKeys()
    {
        var failures = new List<string>();
        LockoutRule.Create(0, TimeSpan.Zero).Validate("Y", failures);

        Assert.Contains(failures, f => f.StartsWith("Y:MaxFailures", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Y:LockoutDuration", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsValidator_BadPrefix_NamesTheKey()
    {
        var result = new RateLimitingOptionsValidator().Validate(null, new RateLimitingOptions { KeyPrefix = "a b" });

        Assert.True(result.Failed);
        Assert.Contains("RateLimiting:KeyPrefix", result.FailureMessage, StringComparison.Ordinal);
    }
}
