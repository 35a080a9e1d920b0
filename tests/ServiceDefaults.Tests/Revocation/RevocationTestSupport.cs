using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.Revocation;

namespace Reference.ServiceDefaults.Tests.Revocation;

internal static class RevocationTestSupport
{
    private static readonly IMeterFactory MeterFactory = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static RevocationTelemetry Telemetry() => new(MeterFactory);

    public static RevocationDenylist Denylist(TimeProvider time, RevocationOptions? options = null, params IRevocationListener[] listeners) =>
        new(listeners, Telemetry(), Options.Create(options ?? new RevocationOptions()), time, NullLogger<RevocationDenylist>.Instance);

    /// <summary>Polls <paramref name="condition"/> until it holds (a background consumer has no fake clock to drive).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>CLIENT KILL TYPE pubsub over a raw connection (the client refuses CLIENT): drops every subscriber.</summary>
    public static async Task KillPubSubClientsAsync(int port, string password)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        var command = Resp("AUTH", password) + Resp("CLIENT", "KILL", "TYPE", "pubsub");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command));
        var buffer = new byte[256];
        var received = new StringBuilder();
        while (received.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length < 2)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        Assert.StartsWith("+OK", received.ToString(), StringComparison.Ordinal);
    }

    private static string Resp(params string[] parts)
    {
        var builder = new StringBuilder($"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            builder.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        return builder.ToString();
    }
}
