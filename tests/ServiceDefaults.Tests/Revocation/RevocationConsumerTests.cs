using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reference.Redis;
using Reference.ServiceDefaults.Revocation;
using Reference.TestUtilities.Redis;

namespace Reference.ServiceDefaults.Tests.Revocation;

/// <summary>The consumer against a real redis-server: pub/sub, the catch-up from the denylist keys, reconnects.</summary>
public sealed class RevocationConsumerTests
{
    private static readonly RevocationOptions FastRetries = new() { RetryDelay = TimeSpan.FromMilliseconds(50) };

    [Theory]
    [InlineData("jti")]
    [InlineData("sid")]
    [InlineData("sub")]
    public async Task Publish_EachType_IsDenied(string type)
    {
        var server = await RedisTestServer.GetSharedAsync();
        await using var redis = new RedisClient(server.Options());
        var channel = "test:revocations:" + Guid.NewGuid().ToString("N");
        var (denylist, consumer) = Create(redis, channel);
        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await RevocationTestSupport.WaitUntilAsync(() => denylist.IsSynchronized, "the consumer caught up");
            var value = type + "-" + Guid.NewGuid().ToString("N");
            var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
            await redis.PublishAsync(channel, $$"""{"type":"{{type}}","value":"{{value}}","exp":{{exp}}}""");

            await RevocationTestSupport.WaitUntilAsync(() => IsRevoked(denylist, type, value), "the published revocation is denied");
            Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("other", "other", "other", DateTimeOffset.UtcNow));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Start_WithDenylistKeysAlreadyInRedis_CatchesUp()
    {
        var server = await RedisTestServer.StartNewAsync(ServerKind.Redis);
        await using (server)
        {
            await using var redis = new RedisClient(server.Options());
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await redis.SetAsync("revoked:jti:before-start", now, TimeSpan.FromMinutes(5));
            await redis.SetAsync("revoked:sid:session-before-start", now, TimeSpan.FromMinutes(5));
            await redis.SetAsync("revoked:sub:bob", now, TimeSpan.FromMinutes(5));
            await redis.SetAsync("unrelated:key", "x", TimeSpan.FromMinutes(5));
            var (denylist, consumer) = Create(redis, RevocationContract.Channel);
            await consumer.StartAsync(CancellationToken.None);
            try
            {
                await RevocationTestSupport.WaitUntilAsync(() => denylist.IsSynchronized, "the consumer caught up");

                Assert.Equal(RevocationStatus.Revoked, denylist.Check("before-start", null, null, null));
                Assert.Equal(RevocationStatus.Revoked, denylist.Check(null, "session-before-start", null, null));
                Assert.Equal(RevocationStatus.Revoked, denylist.Check(null, null, "bob", DateTimeOffset.UtcNow.AddMinutes(-1)));
                Assert.Equal(RevocationStatus.NotRevoked, denylist.Check(null, null, "bob", DateTimeOffset.UtcNow.AddMinutes(1)));
                Assert.Equal(3, denylist.Count);
            }
            finally
            {
                await consumer.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task SubscriberDisconnected_RevocationMissedOnPubSub_IsLearntOnReconnect()
    {
        var server = await RedisTestServer.StartNewAsync(ServerKind.Redis);
        await using (server)
        {
            await using var redis = new RedisClient(server.Options());
            var (denylist, consumer) = Create(redis, RevocationContract.Channel);
            await consumer.StartAsync(CancellationToken.None);
            try
            {
                await RevocationTestSupport.WaitUntilAsync(() => denylist.IsSynchronized, "the consumer caught up");
                var catchUps = consumer.CatchUps;

                // Written while no message reaches the consumer (as if published while it was disconnected).
                await redis.SetAsync("revoked:jti:missed", "1", TimeSpan.FromMinutes(5));
                Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("missed", null, null, null));
                await RevocationTestSupport.KillPubSubClientsAsync(server.Port, server.Password);

                await RevocationTestSupport.WaitUntilAsync(() => consumer.CatchUps > catchUps && denylist.IsSynchronized, "the consumer caught up after the reconnect");
                Assert.Equal(RevocationStatus.Revoked, denylist.Check("missed", null, null, null));
            }
            finally
            {
                await consumer.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task ServerKilledAndRestarted_ConsumerResubscribesCatchesUpAndDeniesNewRevocations()
    {
        var server = await RedisTestServer.StartNewAsync(ServerKind.Redis);
        await using (server)
        {
            await using var redis = new RedisClient(server.Options());
            var (denylist, consumer) = Create(redis, RevocationContract.Channel, new RevocationOptions
            {
                RetryDelay = TimeSpan.FromMilliseconds(50),
                FailClosedAfter = TimeSpan.Zero,
            });
            await consumer.StartAsync(CancellationToken.None);
            try
            {
                await RevocationTestSupport.WaitUntilAsync(() => denylist.IsSynchronized, "the consumer caught up");
                denylist.Add(new RevocationEntry(RevocationKind.TokenId, "learnt-before", DateTimeOffset.UtcNow.AddMinutes(5), DateTimeOffset.UtcNow), "pubsub");
                var catchUps = consumer.CatchUps;

                await server.KillAsync();
                await RevocationTestSupport.WaitUntilAsync(() => !denylist.IsSynchronized, "the consumer noticed the lost subscription");
                Assert.Equal(RevocationStatus.Unknown, denylist.Check("anything", null, "alice", DateTimeOffset.UtcNow));
                Assert.Equal(RevocationStatus.Revoked, denylist.Check("learnt-before", null, null, null));

                await server.StartAsync();
                await RevocationTestSupport.WaitUntilAsync(() => consumer.CatchUps > catchUps && denylist.IsSynchronized, "the consumer caught up after the restart");
                var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
                await redis.PublishAsync(RevocationContract.Channel, $$"""{"type":"jti","value":"after-restart","exp":{{exp}}}""");

                await RevocationTestSupport.WaitUntilAsync(() => denylist.Check("after-restart", null, null, null) == RevocationStatus.Revoked, "the new revocation is denied");
                Assert.Equal(RevocationStatus.NotRevoked, denylist.Check("anything", null, "alice", DateTimeOffset.UtcNow));
            }
            finally
            {
                await consumer.StopAsync(CancellationToken.None);
            }
        }
    }

    private static bool IsRevoked(RevocationDenylist denylist, string type, string value) => type switch
    {
        "jti" => denylist.Check(value, null, null, null) == RevocationStatus.Revoked,
        "sid" => denylist.Check(null, value, null, null) == RevocationStatus.Revoked,
        _ => denylist.Check(null, null, value, DateTimeOffset.UtcNow.AddMinutes(-1)) == RevocationStatus.Revoked,
    };

    private static (RevocationDenylist Denylist, RevocationConsumer Consumer) Create(RedisClient redis, string channel, RevocationOptions? options = null)
    {
        options ??= new RevocationOptions { RetryDelay = FastRetries.RetryDelay };
        options.Channel = channel;
        var denylist = RevocationTestSupport.Denylist(TimeProvider.System, options);
        var consumer = new RevocationConsumer(
            redis, denylist, RevocationTestSupport.Telemetry(), Options.Create(options), TimeProvider.System, NullLogger<RevocationConsumer>.Instance);
        return (denylist, consumer);
    }
}
