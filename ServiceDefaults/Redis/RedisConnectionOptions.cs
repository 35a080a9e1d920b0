using System.Globalization;
using System.Net.Security;
using System.Text;

namespace Reference.Redis;

/// <summary>
/// How to reach one Redis server, parsed from a StackExchange.Redis-style connection string such as
/// <c>127.0.0.1:6379,password=…,user=…,ssl=false,abortConnect=false,connectTimeout=5000,syncTimeout=5000,defaultDatabase=0</c>
/// (the format Aspire emits).
/// </summary>
/// <remarks>
/// <para>Keys are case-insensitive. Keys this client acts on: <c>password</c>, <c>user</c>, <c>ssl</c>,
/// <c>sslHost</c>, <c>abortConnect</c>, <c>connectTimeout</c> (ms), <c>syncTimeout</c> (ms),
/// <c>asyncTimeout</c> (ms; overrides <c>syncTimeout</c>, every command here is asynchronous),
/// <c>defaultDatabase</c>, <c>name</c> (CLIENT SETNAME), <c>keepAlive</c> (s), and this client's own
/// <c>backlogLimit</c>.</para>
/// <para>StackExchange.Redis keys that have no meaning for a single-endpoint RESP2 client are accepted and
/// ignored: <c>allowAdmin</c>, <c>checkCertificateRevocation</c>, <c>configChannel</c>, <c>configCheckSeconds</c>,
/// <c>connectRetry</c>, <c>resolveDns</c>, <c>responseTimeout</c>, <c>setlib</c>, <c>sslProtocols</c>,
/// <c>tiebreaker</c>, <c>version</c>, <c>highPrioritySocketThreads</c>, <c>writeBuffer</c>.</para>
/// <para>Any other key is REJECTED with a <see cref="FormatException"/> naming the key: a typo such as
/// <c>pasword=</c> must not silently connect without authentication. Features the client does not
/// implement (<c>channelPrefix</c>, <c>serviceName</c>, <c>proxy</c>, <c>tunnel</c>, several endpoints) are rejected too.</para>
/// <para>The password never appears in <see cref="ToString"/>, in exception messages or in logs.</para>
/// </remarks>
public sealed class RedisConnectionOptions
{
    /// <summary>The port used when the connection string names none.</summary>
    public const int DefaultPort = 6379;

    private static readonly HashSet<string> IgnoredKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "allowAdmin", "checkCertificateRevocation", "configChannel", "configCheckSeconds", "connectRetry",
        "resolveDns", "responseTimeout", "setlib", "sslProtocols", "tiebreaker", "version",
        "highPrioritySocketThreads", "writeBuffer",
    };

    /// <summary>The server's host name or IP address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The server's TCP port.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>The ACL user for <c>AUTH user password</c>; <see langword="null"/> sends <c>AUTH password</c>.</summary>
    public string? User { get; set; }

    /// <summary>The password; <see langword="null"/> skips AUTH. Never printed.</summary>
    public string? Password { get; set; }

    /// <summary>Whether to wrap the connection in TLS.</summary>
    public bool Ssl { get; set; }

    /// <summary>The host name expected in the server's TLS certificate (defaults to <see cref="Host"/>).</summary>
    public string? SslHost { get; set; }

    /// <summary>Server certificate validation for TLS; <see langword="null"/> uses the platform's default validation.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>
    /// Whether <see cref="RedisClient.ConnectAsync(RedisConnectionOptions, Microsoft.Extensions.Logging.ILoggerFactory?, TimeProvider?, CancellationToken)"/>
    /// throws when the first connection fails (<see langword="true"/>, the StackExchange.Redis default) or returns a
    /// client that keeps retrying in the background (<see langword="false"/>, what Aspire emits).
    /// </summary>
    public bool AbortOnConnectFail { get; set; } = true;

    /// <summary>How long one connection attempt (TCP, TLS, AUTH, SELECT) may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may wait for its reply, backlog time included.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The database selected on every connection (<c>SELECT</c>).</summary>
    public int DefaultDatabase { get; set; }

    /// <summary>The connection name (<c>CLIENT SETNAME</c>); <see langword="null"/> sends none.</summary>
    public string? ClientName { get; set; }

    /// <summary>TCP keep-alive interval; <see langword="null"/> leaves the socket default.</summary>
    public TimeSpan? KeepAlive { get; set; }

    /// <summary>
    /// How many commands may wait while the client is disconnected. Beyond it commands fail at once with
    /// <see cref="RedisBacklogFullException"/>.
    /// </summary>
    public int BacklogLimit { get; set; } = 10_000;

    /// <summary>The first reconnect delay; each failed attempt doubles it (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between reconnect attempts; also the delay after an authentication failure.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest bulk string or array the client accepts from the server (Redis's own limit is 512 MB).</summary>
    public int MaxReplyLength { get; set; } = 512 * 1024 * 1024;

    /// <summary>The endpoint as <c>host:port</c> (IPv6 hosts in brackets).</summary>
    public string EndPoint => FormatEndPoint(Host, Port);

    /// <summary>Parses a StackExchange.Redis-style connection string.</summary>
    /// <exception cref="FormatException">An endpoint or value is malformed, or a key is unknown or unsupported. The message names the key, never a value.</exception>
    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var options = new RedisConnectionOptions();
        var endPoints = 0;
        var asyncTimeout = (TimeSpan?)null;
        foreach (var rawToken in connectionString.Split(','))
        {
            var token = rawToken.Trim();
            if (token.Length == 0)
            {
                continue;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (++endPoints > 1)
                {
                    throw new FormatException("The Redis connection string names several endpoints; this client connects to exactly one.");
                }

                (options.Host, options.Port) = ParseEndPoint(token);
                continue;
            }

            var key = token[..equals].Trim();
            var value = token[(equals + 1)..].Trim();
            switch (key.ToUpperInvariant())
            {
                case "PASSWORD":
                    options.Password = value.Length == 0 ? null : value;
                    break;
                case "USER":
                    options.User = value.Length == 0 ? null : value;
                    break;
                case "SSL":
                    options.Ssl = ParseBool(key, value);
                    break;
                case "SSLHOST":
                    options.SslHost = value.Length == 0 ? null : value;
                    break;
                case "ABORTCONNECT":
                    options.AbortOnConnectFail = ParseBool(key, value);
                    break;
                case "CONNECTTIMEOUT":
                    options.ConnectTimeout = ParseMilliseconds(key, value);
                    break;
                case "SYNCTIMEOUT":
                    options.CommandTimeout = ParseMilliseconds(key, value);
                    break;
                case "ASYNCTIMEOUT":
                    asyncTimeout = ParseMilliseconds(key, value);
                    break;
                case "DEFAULTDATABASE":
                    options.DefaultDatabase = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "NAME":
                    options.ClientName = value.Length == 0 ? null : value;
                    break;
                case "KEEPALIVE":
                    var seconds = ParseInt(key, value, -1, int.MaxValue);
                    options.KeepAlive = seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
                    break;
                case "BACKLOGLIMIT":
                    options.BacklogLimit = ParseInt(key, value, 0, int.MaxValue);
                    break;
                default:
                    if (!IgnoredKeys.Contains(key))
                    {
                        throw new FormatException($"The Redis connection string key '{key}' is not supported.");
                    }

                    break;
            }
        }

        if (endPoints == 0)
        {
            throw new FormatException("The Redis connection string names no endpoint (host:port).");
        }

        if (asyncTimeout is { } timeout)
        {
            options.CommandTimeout = timeout;
        }

        return options;
    }

    /// <summary>Parses a connection string, returning <see langword="false"/> and the reason instead of throwing.</summary>
    public static bool TryParse(string? connectionString, out RedisConnectionOptions? options, out string? error)
    {
        options = null;
        error = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "The Redis connection string is empty.";
            return false;
        }

        try
        {
            options = Parse(connectionString);
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>A copy of these options.</summary>
    public RedisConnectionOptions Clone() => (RedisConnectionOptions)MemberwiseClone();

    /// <summary>The connection string with the password replaced by <c>*****</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(EndPoint);
        if (User is not null)
        {
            builder.Append(",user=").Append(User);
        }

        if (Password is not null)
        {
            builder.Append(",password=*****");
        }

        builder.Append(CultureInfo.InvariantCulture, $",ssl={(Ssl ? "true" : "false")}");
        if (SslHost is not null)
        {
            builder.Append(",sslHost=").Append(SslHost);
        }

        builder.Append(CultureInfo.InvariantCulture, $",abortConnect={(AbortOnConnectFail ? "true" : "false")}");
        builder.Append(CultureInfo.InvariantCulture, $",connectTimeout={(long)ConnectTimeout.TotalMilliseconds}");
        builder.Append(CultureInfo.InvariantCulture, $",syncTimeout={(long)CommandTimeout.TotalMilliseconds}");
        builder.Append(CultureInfo.InvariantCulture, $",defaultDatabase={DefaultDatabase}");
        if (ClientName is not null)
        {
            builder.Append(",name=").Append(ClientName);
        }

        return builder.ToString();
    }

    internal static string FormatEndPoint(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    private static (string Host, int Port) ParseEndPoint(string token)
    {
        string host;
        string? port = null;
        if (token.StartsWith('['))
        {
            var close = token.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException("The Redis endpoint has an unterminated IPv6 address.");
            }

            host = token[1..close];
            var rest = token[(close + 1)..];
            if (rest.Length > 0)
            {
                port = rest.StartsWith(':') ? rest[1..] : throw new FormatException("The Redis endpoint is malformed.");
            }
        }
        else
        {
            var colon = token.LastIndexOf(':');
            if (colon >= 0 && token.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                host = token;
            }
            else if (colon >= 0)
            {
                host = token[..colon];
                port = token[(colon + 1)..];
            }
            else
            {
                host = token;
            }
        }

        if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal))
        {
            throw new FormatException("The Redis endpoint has no valid host (expected host:port).");
        }

        var portNumber = port is null ? DefaultPort : ParseInt("port", port, 1, 65535);
        return (host, portNumber);
    }

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out var result) ? result : throw new FormatException($"The Redis connection string key '{key}' expects true or false.");

    private static int ParseInt(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max
            ? result
            : throw new FormatException($"The Redis connection string key '{key}' expects an integer from {min} to {max}.");

    private static TimeSpan ParseMilliseconds(string key, string value) =>
        TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue));
}
