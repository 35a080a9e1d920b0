extern alias orders;

using Reference.TestUtilities;

namespace Reference.SampleServices.Tests.Delegation;

/// <summary>Orders.Api refuses to start with an unusable exchange timeout or breaker setting, naming the key.</summary>
public sealed class TokenExchangeOptionsTests
{
    [Theory]
    [InlineData("TokenExchange:Timeout", "00:00:00", "TokenExchange:Timeout must be between")]
    [InlineData("TokenExchange:BreakerFailureRatio", "0", "TokenExchange:BreakerFailureRatio must be greater than 0")]
    [InlineData("TokenExchange:BreakerFailureRatio", "1.5", "TokenExchange:BreakerFailureRatio must be greater than 0")]
    [InlineData("TokenExchange:BreakerMinimumThroughput", "1", "TokenExchange:BreakerMinimumThroughput must be at least 2")]
    [InlineData("TokenExchange:BreakerSamplingDuration", "00:00:00.100", "TokenExchange:BreakerSamplingDuration must be between")]
    [InlineData("TokenExchange:BreakDuration", "00:00:00", "TokenExchange:BreakDuration must be between")]
    public void Startup_BadBreakerSetting_FailsNamingTheKey(string key, string value, string message)
    {
        using var factory = new SampleServiceFactory<orders::Program>(new Uri("http://127.0.0.1:1/jwks"), new FakeTimeProvider(), new Dictionary<string, string?> { [key] = value });

        var exception = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(exception);
        Assert.Contains(message, exception.ToString(), StringComparison.Ordinal);
    }
}
