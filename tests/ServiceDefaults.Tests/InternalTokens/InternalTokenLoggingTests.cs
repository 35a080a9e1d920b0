using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

public sealed class InternalTokenLoggingTests
{
    [Fact]
    public async Task RejectedToken_IsLoggedByHashPrefixOnly()
    {
        var time = new FakeTimeProvider();
        var logs = new CapturingLoggerProvider();
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        await using var host = await ServiceHost.StartAsync(
            ServiceHost.TokenConfiguration(jwks),
            time,
            configureBuilder: b => b.Logging.AddProvider(logs));
        var claims = InternalTokenTestSigner.DefaultClaims(time.GetUtcNow(), "inventory-api", "orders.read");
        var token = signer.CreateToken(claims);

        var response = await host.Client.GetWithTokenAsync("/orders", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var hashPrefix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];
        Assert.Contains(logs.Messages, m => m.Contains(hashPrefix, StringComparison.Ordinal) && m.Contains("audience", StringComparison.Ordinal));
        var signature = token.Split('.')[2];
        Assert.DoesNotContain(logs.Messages, m => m.Contains(signature, StringComparison.Ordinal) || m.Contains(token.Split('.')[1], StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(Messages);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
        }
    }
}
