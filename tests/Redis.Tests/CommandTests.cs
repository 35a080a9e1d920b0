using System.Text;
using Reference.Redis.Tests.Servers;

namespace Reference.Redis.Tests;

/// <summary>Every command's happy path and error replies, run against redis-server and against Garnet.</summary>
public abstract class CommandTests<TFixture>(TFixture fixture)
    where TFixture : ServerFixture
{
    protected TFixture Fixture { get; } = fixture;

    private RedisClient Client => Fixture.Client;

    private static string NewKey(string name) => $"test:{name}:{Guid.NewGuid():N}";

    [Fact]
    public async Task Ping_Connected_ReturnsRoundTripTime()
    {
        var latency = await Client.PingAsync();

        Assert.True(latency >= TimeSpan.Zero);
        Assert.True(Client.IsConnected);
    }

    [Fact]
    public async Task GetSet_StringValue_RoundTrips()
    {
        var key = NewKey("string");

        Assert.True(await Client.SetAsync(key, "héllo wörld"));

        Assert.Equal("héllo wörld", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        var value = await Client.GetAsync(NewKey("missing"));

        Assert.True(value.IsNull);
        Assert.Null((string?)value);
    }

    [Fact]
    public async Task Set_AllByteValuesWithCrLfInside_RoundTripsExactly()
    {
        var key = NewKey("binary");
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n\r\n$5\r\n*1\r\n"u8.ToArray()).Concat(Enumerable.Range(0, 256).Select(i => (byte)(255 - i))).ToArray();

        await Client.SetAsync(key, bytes);
        var value = await Client.GetAsync(key);

        Assert.Equal(bytes, value.ToArray());
    }

    [Fact]
    public async Task GetSet_LargeMultiByteString_RoundTrips()
    {
        var key = NewKey("unicode");
        var text = string.Concat(Enumerable.Repeat("ключ-€-😀-\r\n-", 10_000));

        await Client.SetAsync(key, text);

        Assert.Equal(text, (await Client.GetAsync(key)).ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount(text), (await Client.GetAsync(key)).ToArray()!.Length);
    }

    [Fact]
    public async Task Set_ReadOnlyMemorySlice_SendsOnlyTheSlice()
    {
        var key = NewKey("slice");
        var buffer = Encoding.UTF8.GetBytes("xxpayloadyy");

        await Client.SetAsync(key, new ReadOnlyMemory<byte>(buffer, 2, 7));

        Assert.Equal("payload", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task Set_OneMegabyteValue_RoundTrips()
    {
        var key = NewKey("large");
        var bytes = new byte[1024 * 1024];
        new Random(42).NextBytes(bytes);

        await Client.SetAsync(key, bytes);

        Assert.Equal(bytes, (await Client.GetAsync(key)).ToArray());
    }

    [Fact]
    public async Task Set_NotExistsCondition_WritesOnlyOnce()
    {
        var key = NewKey("nx");

        Assert.True(await Client.SetAsync(key, "first", condition: SetCondition.NotExists));
        Assert.False(await Client.SetAsync(key, "second", condition: SetCondition.NotExists));

        Assert.Equal("first", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task Set_ExistsConditionOnMissingKey_WritesNothing()
    {
        var key = NewKey("xx");

        Assert.False(await Client.SetAsync(key, "value", condition: SetCondition.Exists));
        await Client.SetAsync(key, "one");
        Assert.True(await Client.SetAsync(key, "two", condition: SetCondition.Exists));

        Assert.Equal("two", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task SetAndGet_ExistingKey_ReturnsPreviousValue()
    {
        var key = NewKey("setget");

        Assert.True((await Client.SetAndGetAsync(key, "one")).IsNull);
        Assert.Equal("one", (await Client.SetAndGetAsync(key, "two")).ToString());

        Assert.Equal("two", (await Client.GetAsync(key)).ToString());
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(9_500)]
    public async Task Set_WithExpiry_SetsTimeToLive(int milliseconds)
    {
        var key = NewKey("ex");

        await Client.SetAsync(key, "v", TimeSpan.FromMilliseconds(milliseconds));
        var ttl = await Client.PTtlAsync(key);

        Assert.InRange(ttl, 1, milliseconds);
    }

    [Fact]
    public async Task Set_KeepTtl_KeepsExpiry()
    {
        var key = NewKey("keepttl");
        await Client.SetAsync(key, "v1", TimeSpan.FromSeconds(100));

        await Client.SetAsync(key, "v2", keepTtl: true);

        Assert.InRange(await Client.PTtlAsync(key), 1, 100_000);
        Assert.Equal("v2", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task Set_WithoutKeepTtl_ClearsExpiry()
    {
        var key = NewKey("clearttl");
        await Client.SetAsync(key, "v1", TimeSpan.FromSeconds(100));

        await Client.SetAsync(key, "v2");

        Assert.Equal(-1, await Client.PTtlAsync(key));
    }

    [Fact]
    public async Task Set_ShortExpiry_KeyDisappears()
    {
        var key = NewKey("expires");
        await Client.SetAsync(key, "v", TimeSpan.FromMilliseconds(20));

        var exists = true;
        for (var attempt = 0; attempt < 500 && exists; attempt++)
        {
            await Task.Delay(10);
            exists = await Client.ExistsAsync(key);
        }

        Assert.False(exists);
        Assert.True((await Client.GetAsync(key)).IsNull);
    }

    [Fact]
    public async Task Set_ExpiryAndKeepTtl_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.SetAsync("k", "v", TimeSpan.FromSeconds(1), keepTtl: true));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.SetAsync("k", "v", TimeSpan.Zero));
    }

    [Fact]
    public async Task GetEx_WithExpiry_ReturnsValueAndSetsTtl()
    {
        var key = NewKey("getex");
        await Client.SetAsync(key, "v");

        var value = await Client.GetExAsync(key, TimeSpan.FromSeconds(50));

        Assert.Equal("v", value.ToString());
        Assert.InRange(await Client.PTtlAsync(key), 1, 50_000);
    }

    [Fact]
    public async Task GetEx_Persist_RemovesTtl()
    {
        var key = NewKey("persist");
        await Client.SetAsync(key, "v", TimeSpan.FromSeconds(50));

        var value = await Client.GetExAsync(key, persist: true);

        Assert.Equal("v", value.ToString());
        Assert.Equal(-1, await Client.PTtlAsync(key));
    }

    [Fact]
    public async Task GetDelete_ExistingKey_ReturnsValueAndDeletes()
    {
        var key = NewKey("getdel");
        await Client.SetAsync(key, "v");

        Assert.Equal("v", (await Client.GetDeleteAsync(key)).ToString());

        Assert.False(await Client.ExistsAsync(key));
        Assert.True((await Client.GetDeleteAsync(key)).IsNull);
    }

    [Fact]
    public async Task DeleteAndExists_SeveralKeys_CountExistingOnes()
    {
        var a = NewKey("a");
        var b = NewKey("b");
        var missing = NewKey("c");
        await Client.SetAsync(a, "1");
        await Client.SetAsync(b, "2");

        Assert.Equal(2, await Client.ExistsAsync([a, b, missing]));
        Assert.Equal(2, await Client.DeleteAsync([a, b, missing]));

        Assert.Equal(0, await Client.ExistsAsync([a, b]));
        Assert.False(await Client.DeleteAsync(a));
    }

    [Fact]
    public async Task ExpireAndPTtl_Markers_FollowRedisSemantics()
    {
        var key = NewKey("ttl");

        Assert.Equal(-2, await Client.PTtlAsync(key));
        Assert.False(await Client.ExpireAsync(key, TimeSpan.FromSeconds(10)));
        await Client.SetAsync(key, "v");
        Assert.Equal(-1, await Client.PTtlAsync(key));
        Assert.Null(await Client.GetTimeToLiveAsync(key));

        Assert.True(await Client.ExpireAsync(key, TimeSpan.FromSeconds(10)));
        Assert.InRange(await Client.PTtlAsync(key), 1, 10_000);
        Assert.True(await Client.ExpireAsync(key, TimeSpan.FromMilliseconds(7_500)));
        Assert.InRange(await Client.PTtlAsync(key), 1, 7_500);
        Assert.True(await Client.PExpireAsync(key, 5_000));
        Assert.InRange((await Client.GetTimeToLiveAsync(key))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Increment_ByOneAndByN_ReturnsNewValue()
    {
        var key = NewKey("incr");

        Assert.Equal(1, await Client.IncrementAsync(key));
        Assert.Equal(11, await Client.IncrementAsync(key, 10));
        Assert.Equal(6, await Client.IncrementAsync(key, -5));

        Assert.Equal(6, (await Client.GetAsync(key)).ToInt64());
    }

    [Fact]
    public async Task Increment_NonIntegerValue_ThrowsServerError()
    {
        var key = NewKey("incr-bad");
        await Client.SetAsync(key, "not a number");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => Client.IncrementAsync(key));

        Assert.Equal("ERR", error.ErrorCode);
        Assert.Equal("not a number", (await Client.GetAsync(key)).ToString());
    }

    [Fact]
    public async Task Hash_SetGetGetAllDelete_RoundTrip()
    {
        var key = NewKey("hash");
        var binary = new byte[] { 0, 13, 10, 255 };

        Assert.True(await Client.HashSetAsync(key, "name", "alice"));
        Assert.False(await Client.HashSetAsync(key, "name", "bob"));
        Assert.Equal(2, await Client.HashSetAsync(key, [new("age", 42), new("blob", binary)]));

        Assert.Equal("bob", (await Client.HashGetAsync(key, "name")).ToString());
        Assert.True((await Client.HashGetAsync(key, "missing")).IsNull);
        var all = await Client.HashGetAllAsync(key);
        Assert.Equal(3, all.Count);
        Assert.Equal(42, all["age"].ToInt64());
        Assert.Equal(binary, all["blob"].ToArray());

        Assert.True(await Client.HashDeleteAsync(key, "name"));
        Assert.Equal(1, await Client.HashDeleteAsync(key, ["age", "missing"]));
        Assert.Single(await Client.HashGetAllAsync(key));
        Assert.Empty(await Client.HashGetAllAsync(NewKey("no-hash")));
    }

    [Fact]
    public async Task Sets_AddRemoveMembers_RoundTrip()
    {
        var key = NewKey("set");

        Assert.True(await Client.SetAddAsync(key, "a"));
        Assert.False(await Client.SetAddAsync(key, "a"));
        Assert.Equal(2, await Client.SetAddAsync(key, ["b", new byte[] { 0, 1, 2 }, "a"]));
        Assert.True(await Client.SetRemoveAsync(key, "b"));
        Assert.Equal(0, await Client.SetRemoveAsync(key, ["zz"]));

        var members = await Client.SetMembersAsync(key);

        Assert.Equal(2, members.Count);
        Assert.Contains(RedisValue.FromString("a"), members);
        Assert.Contains(RedisValue.FromBytes([0, 1, 2]), members);
        Assert.Empty(await Client.SetMembersAsync(NewKey("no-set")));
    }

    [Fact]
    public async Task SetMembers_TwentyThousandMembers_ReplyArrivingInManyPiecesIsComplete()
    {
        var key = NewKey("bigset");
        var members = Enumerable.Range(0, 20_000).Select(i => $"member-{i:D6}-{new string('m', 40)}").ToArray();
        foreach (var chunk in members.Chunk(2_000))
        {
            await Client.SetAddAsync(key, chunk.Select(RedisValue.FromString));
        }

        var read = await Client.SetMembersAsync(key);

        Assert.Equal(members.Order(), read.Select(m => m.ToString()).Order());
        Assert.Equal("PONG", (await Client.ExecuteAsync("PING")).ToString());
    }

    [Fact]
    public async Task WrongType_CommandOnOtherType_ThrowsWrongType()
    {
        var stringKey = NewKey("wt-string");
        var hashKey = NewKey("wt-hash");
        await Client.SetAsync(stringKey, "v");
        await Client.HashSetAsync(hashKey, "f", "v");

        var hget = await Assert.ThrowsAsync<RedisServerException>(() => Client.HashGetAsync(stringKey, "f"));
        var get = await Assert.ThrowsAsync<RedisServerException>(() => Client.GetAsync(hashKey));
        var sadd = await Assert.ThrowsAsync<RedisServerException>(() => Client.SetAddAsync(stringKey, "m"));

        Assert.All([hget, get, sadd], error => Assert.Equal("WRONGTYPE", error.ErrorCode));
        Assert.Equal("v", (await Client.GetAsync(stringKey)).ToString());
    }

    [Fact]
    public async Task Scan_ManyKeys_FindsEachMatchingKey()
    {
        var prefix = NewKey("scan");
        var expected = Enumerable.Range(0, 250).Select(i => $"{prefix}:{i}").ToHashSet();
        await Task.WhenAll(expected.Select(key => Client.SetAsync(key, "v")));
        await Client.SetAsync(NewKey("other"), "v");

        var found = new HashSet<string>();
        await foreach (var key in Client.ScanAsync($"{prefix}:*", pageSize: 50))
        {
            found.Add(key);
        }

        Assert.Equal(expected.Order(), found.Order());
    }

    [Fact]
    public async Task Script_Evaluate_ReturnsResultAndCachesScript()
    {
        var key = NewKey("script");
        var script = "redis.call('SET', KEYS[1], ARGV[1]) return {redis.call('GET', KEYS[1]), 7} -- " + Guid.NewGuid();

        var first = await Client.ScriptEvaluateAsync(script, [key], ["value"]);
        var second = await Client.ScriptEvaluateAsync(script, [key], ["again"]);

        Assert.Equal("value", first.Items[0].ToString());
        Assert.Equal(7, first.Items[1].ToInt64());
        Assert.Equal("again", second.Items[0].ToString());
#pragma warning disable CA5350 // Redis names scripts by SHA-1.
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(script)));
#pragma warning restore CA5350
        var exists = await Client.ExecuteAsync("SCRIPT", "EXISTS", sha);
        Assert.Equal(1, exists.Items[0].ToInt64());
    }

    [Fact]
    public async Task Script_AfterScriptFlush_FallsBackToEval()
    {
        var script = "return ARGV[1] -- " + Guid.NewGuid();
        Assert.Equal("a", (await Client.ScriptEvaluateAsync(script, args: ["a"])).ToString());

        await Client.ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal("b", (await Client.ScriptEvaluateAsync(script, args: ["b"])).ToString());
    }

    [Fact]
    public async Task Script_RuntimeError_ThrowsServerError()
    {
        await Assert.ThrowsAsync<RedisServerException>(() => Client.ScriptEvaluateAsync("return redis.call('NOSUCHCOMMAND')"));

        Assert.True(await Client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task PubSub_SubscribeAndPublish_DeliversMessage()
    {
        var channel = NewKey("chan");
        var received = new TaskCompletionSource<RedisPubSubMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await Client.SubscribeAsync(channel, message => received.TrySetResult(message));

        var receivers = await Client.PublishAsync(channel, new byte[] { 1, 13, 10, 0 });
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, receivers);
        Assert.Equal(channel, message.Channel);
        Assert.Null(message.Pattern);
        Assert.Equal(new byte[] { 1, 13, 10, 0 }, message.Message.ToArray());
    }

    [Fact]
    public async Task PubSub_PatternSubscribe_DeliversMatchingMessages()
    {
        var prefix = NewKey("pchan");
        var received = new TaskCompletionSource<RedisPubSubMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await Client.PatternSubscribeAsync($"{prefix}.*", message => received.TrySetResult(message));

        await Client.PublishAsync($"{prefix}.news", "hello");
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal($"{prefix}.news", message.Channel);
        Assert.Equal($"{prefix}.*", message.Pattern);
        Assert.Equal("hello", message.Message.ToString());
    }

    [Fact]
    public async Task PubSub_Unsubscribe_StopsDelivery()
    {
        var channel = NewKey("unsub");
        var subscription = await Client.SubscribeAsync(channel, _ => { });

        Assert.Equal(1, await Client.PublishAsync(channel, "one"));
        await subscription.DisposeAsync();

        Assert.Equal(0, await Client.PublishAsync(channel, "two"));
    }

    [Fact]
    public async Task PubSub_TwoHandlersOneThrows_OtherStillReceivesAndLastDisposeUnsubscribes()
    {
        var channel = NewKey("handlers");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var faulty = await Client.SubscribeAsync(channel, _ => throw new InvalidOperationException("handler bug"));
        var healthy = await Client.SubscribeAsync(channel, message => received.TrySetResult(message.Message.ToString()));

        Assert.Equal(1, await Client.PublishAsync(channel, "first"));
        Assert.Equal("first", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await faulty.DisposeAsync();
        Assert.Equal(1, await Client.PublishAsync(channel, "second"));
        await healthy.DisposeAsync();

        Assert.Equal(0, await Client.PublishAsync(channel, "third"));
    }

    [Fact]
    public async Task Execute_ArbitraryCommand_ReturnsRawReply()
    {
        var key = NewKey("exec");

        var result = await Client.ExecuteAsync("hincrby", key, "field", 5);
        var echo = await Client.ExecuteAsync("ECHO", "x\r\ny");

        Assert.Equal(RedisResultKind.Integer, result.Kind);
        Assert.Equal(5, result.ToInt64());
        Assert.Equal("x\r\ny", echo.ToString());
    }

    [Theory]
    [InlineData("SELECT")]
    [InlineData("subscribe")]
    [InlineData("QUIT")]
    [InlineData("CLIENT")]
    public void Execute_ConnectionStateCommand_IsRefused(string command)
    {
        Assert.Throws<ArgumentException>(() => { _ = Client.ExecuteAsync(command, "1"); });
    }

    [Fact]
    public async Task Execute_UnknownCommand_ThrowsWithoutEchoingArguments()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Client.ExecuteAsync("NOSUCHCOMMAND", "secret-value-123"));

        Assert.Equal("ERR", error.ErrorCode);
        Assert.DoesNotContain("secret-value-123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrency_TenThousandMixedOperations_EachCallerGetsItsOwnReply()
    {
        var prefix = NewKey("conc");
        var misdelivered = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 100 }, async (worker, cancellationToken) =>
        {
            var key = $"{prefix}:{worker}";
            var counter = $"{prefix}:counter:{worker}";
            for (var i = 0; i < 25; i++)
            {
                var value = $"{worker}:{i}:{Guid.NewGuid():N}";
                await Client.SetAsync(key, value, cancellationToken: cancellationToken);
                var read = await Client.GetAsync(key, cancellationToken);
                var echo = await Client.ExecuteAsync("ECHO", value);
                var count = await Client.IncrementAsync(counter, cancellationToken: cancellationToken);
                if (read.ToString() != value || echo.ToString() != value || count != i + 1)
                {
                    Interlocked.Increment(ref misdelivered);
                }
            }
        });

        Assert.Equal(0, misdelivered);
    }

    [Fact]
    public async Task DefaultDatabase_One_IsolatesKeysFromDatabaseZero()
    {
        var key = NewKey("db");
        await using var db1 = new RedisClient(Fixture.Server.Options(o => o.DefaultDatabase = 1));

        await db1.SetAsync(key, "in-db-1");

        Assert.Equal("in-db-1", (await db1.GetAsync(key)).ToString());
        Assert.True((await Client.GetAsync(key)).IsNull);
    }

    [Fact]
    public async Task AclUser_DefaultUserWithPassword_Authenticates()
    {
        await using var client = new RedisClient(Fixture.Server.Options(o => o.User = "default"));

        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task WrongPassword_Command_ThrowsAuthenticationExceptionWithoutPassword()
    {
        await using var client = new RedisClient(Fixture.Server.Options(o => o.Password = "wrong-password-xyz"));

        var error = await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.PingAsync());
        var again = await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.GetAsync("k"));

        Assert.Contains($"127.0.0.1:{Fixture.Server.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-xyz", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-xyz", again.ToString(), StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task NoPassword_Command_ThrowsAuthenticationOrServerError()
    {
        await using var client = new RedisClient(Fixture.Server.Options(o => o.Password = null));

        var error = await Assert.ThrowsAnyAsync<RedisException>(() => client.GetAsync("k"));

        Assert.Contains("NOAUTH", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}

[Trait("Server", "redis-server")]
public sealed class RedisServerCommandTests(RedisServerFixture fixture) : CommandTests<RedisServerFixture>(fixture), IClassFixture<RedisServerFixture>;

[Trait("Server", "garnet")]
public sealed class GarnetCommandTests(GarnetServerFixture fixture) : CommandTests<GarnetServerFixture>(fixture), IClassFixture<GarnetServerFixture>;
