using System.Net.Sockets;
using System.Text;

namespace Reference.AppHost.Hosting;

/// <summary>
/// A minimal RESP exchange for the health check: AUTH (when a password is set) then PING, expecting
/// <c>+OK</c> and <c>+PONG</c>. (The full client in ServiceDefaults/Redis replaces this at merge.)
/// </summary>
internal static class RedisPing
{
    public static async Task<bool> PingAsync(string host, int port, string? password, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, cancellationToken);
            await using var stream = client.GetStream();
            if (!string.IsNullOrEmpty(password))
            {
                await WriteCommandAsync(stream, ["AUTH", password], cancellationToken);
                if (await ReadLineAsync(stream, cancellationToken) != "+OK")
                {
                    return false;
                }
            }

            await WriteCommandAsync(stream, ["PING"], cancellationToken);
            return await ReadLineAsync(stream, cancellationToken) == "+PONG";
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    private static async Task WriteCommandAsync(Stream stream, string[] parts, CancellationToken cancellationToken)
    {
        var command = new StringBuilder();
        command.Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), cancellationToken);
    }

    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (line.Length < 512)
        {
            if (await stream.ReadAsync(buffer, cancellationToken) == 0)
            {
                return null;
            }

            if (buffer[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)buffer[0]);
        }

        return null;
    }
}
