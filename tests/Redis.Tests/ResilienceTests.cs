namespace Reference.Redis.Tests;

/// <summary>Crash and restart a real server under traffic; each test owns its server.</summary>
public abstract class ResilienceTests(ServerKind kind)
{
    [Fact]
    public async Task KillAndRestart_MidTraffic_RecoversResubscribesAndNeverMisdelivers()
    {
        if (RedisTestServer.UnavailableReason(kind) is { } reason)
        {
            Assert.Skip(reason);
        }

        await using var server = await RedisTestServer.StartNewAsync(kind);
        await using var client = new RedisClient(server.Options(o =>
        {
            o.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        }));
        var channel = $"resilience:{Guid.NewGuid():N}";
        var messages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var subscription = await client.SubscribeAsync(channel, message => messages.Enqueue(message.Message.ToString()));
        Assert.Equal(1, await client.PublishAsync(channel, "before"));

        using var stop = new CancellationTokenSource();
        var misdelivered = 0;
        var succeeded = 0;
        var failedWithConnectionError = 0;
        var workers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var token = $"{worker}:{i}:{Guid.NewGuid():N}";
                try
                {
                    var echo = await client.ExecuteAsync("ECHO", token);
                    await client.SetAsync($"{channel}:{worker}", token);
                    var read = await client.GetAsync($"{channel}:{worker}");
                    if (echo.ToString() != token || (read.HasValue && read.ToString() != token))
                    {
                        Interlocked.Increment(ref misdelivered);
                    }

                    Interlocked.Increment(ref succeeded);
                }
                catch (RedisConnectionException)
                {
                    Interlocked.Increment(ref failedWithConnectionError);
                }
                catch (RedisTimeoutException)
                {
                    Interlocked.Increment(ref failedWithConnectionError);
                }
            }
        })).ToArray();

        await WaitUntilAsync(() => Volatile.Read(ref succeeded) > 200);
        await server.KillAsync();
        await WaitUntilAsync(() => Volatile.Read(ref failedWithConnectionError) > 0);
        await server.StartAsync();
        var afterRestart = Volatile.Read(ref succeeded);
        await WaitUntilAsync(() => Volatile.Read(ref succeeded) > afterRestart + 200);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        await WaitUntilAsync(async () => await client.PublishAsync(channel, "after") > 0);
        await WaitUntilAsync(() => messages.Contains("after"));
        Assert.Equal(0, misdelivered);
        Assert.True(failedWithConnectionError > 0);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task ServerDown_CommandsFailFast_ThenSucceedAfterStart()
    {
        if (RedisTestServer.UnavailableReason(kind) is { } reason)
        {
            Assert.Skip(reason);
        }

        await using var server = await RedisTestServer.StartNewAsync(kind);
        await server.KillAsync();
        await using var client = new RedisClient(server.Options(o => o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200)));

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());
        Assert.Equal($"127.0.0.1:{server.Port}", error.EndPoint);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);

        await server.StartAsync();
        await WaitUntilAsync(async () =>
        {
            try
            {
                await client.PingAsync();
                return true;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        });
        Assert.True(client.IsConnected);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 3000; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail("The condition was not met within 30 s.");
    }
}

[Trait("Server", "redis-server")]
public sealed class RedisServerResilienceTests() : ResilienceTests(ServerKind.Redis);

[Trait("Server", "garnet")]
public sealed class GarnetResilienceTests() : ResilienceTests(ServerKind.Garnet);
