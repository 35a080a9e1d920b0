namespace Reference.Redis.Tests.Servers;

/// <summary>One shared server (and client) per test class; tests skip, saying why, when the server is missing.</summary>
public abstract class ServerFixture(ServerKind kind) : IAsyncLifetime
{
    private RedisTestServer? _server;
    private RedisClient? _client;

    public ServerKind Kind { get; } = kind;

    public RedisTestServer Server => _server ?? throw SkipNow();

    public RedisClient Client => _client ?? throw SkipNow();

    public async ValueTask InitializeAsync()
    {
        if (RedisTestServer.UnavailableReason(Kind) is null)
        {
            _server = await RedisTestServer.StartNewAsync(Kind);
            _client = new RedisClient(_server.Options());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    public void SkipIfUnavailable()
    {
        if (RedisTestServer.UnavailableReason(Kind) is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    private InvalidOperationException SkipNow()
    {
        SkipIfUnavailable();
        return new InvalidOperationException("The server did not start.");
    }
}

public sealed class RedisServerFixture() : ServerFixture(ServerKind.Redis);

public sealed class GarnetServerFixture() : ServerFixture(ServerKind.Garnet);
