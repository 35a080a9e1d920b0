using System.Text;
using Reference.Redis.Tests.Servers;
using Reference.TestUtilities;

namespace Reference.Redis.Tests;

/// <summary>Malformed, split, oversized and missing replies from a scripted server.</summary>
public sealed class FakeServerTests
{
    public static TheoryData<string> MalformedReplies => new()
    {
        "?what\r\n",
        ":12ab\r\n",
        ":\r\n",
        "$5\r\nabcdefg\r\n",
        "$-7\r\n",
        "*-3\r\n",
        "+OK\n",
        "$abc\r\n",
        "*1\r\n!oops\r\n",
    };

    [Theory]
    [MemberData(nameof(MalformedReplies))]
    public async Task MalformedReply_ProtocolErrorResetsConnection_NextCommandSucceeds(string reply)
    {
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync(index == 0 ? reply : "+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options());

        var error = await Assert.ThrowsAsync<RedisProtocolException>(() => client.PingAsync());

        Assert.Equal($"127.0.0.1:{server.Port}", error.EndPoint);
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task MalformedReply_SeveralInFlight_EarlierGetsItsReplyLaterOnesFailWithoutForeignReplies()
    {
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            if (index == 0)
            {
                for (var i = 0; i < 3; i++)
                {
                    await connection.ReadCommandAsync();
                }

                await connection.WriteAsync(":1\r\n?bad\r\n:3\r\n");
                await connection.WaitForCloseAsync();
                return;
            }

            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync(":7\r\n");
            }
        });
        await using var client = new RedisClient(server.Options());

        var first = client.IncrementAsync("a");
        var second = client.IncrementAsync("b");
        var third = client.IncrementAsync("c");

        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<RedisProtocolException>(() => second);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => third);
        Assert.IsNotType<RedisProtocolException>(error);
        Assert.Equal(7, await client.IncrementAsync("d"));
    }

    [Fact]
    public async Task TruncatedReply_ServerCloses_ProtocolErrorThenRecovers()
    {
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            while (await connection.ReadCommandAsync() is not null)
            {
                if (index == 0)
                {
                    await connection.WriteAsync("$10\r\nabc");
                    connection.Dispose();
                    return;
                }

                await connection.WriteAsync("$3\r\nabc\r\n");
            }
        });
        await using var client = new RedisClient(server.Options());

        var error = await Assert.ThrowsAsync<RedisProtocolException>(() => client.GetAsync("k"));

        Assert.Contains("truncated", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal("abc", (await client.GetAsync("k")).ToString());
    }

    [Fact]
    public async Task SplitReplies_SentByteByByte_ParsedExactly()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n"u8.ToArray()).ToArray();
        await using var server = new FakeRedisServer(async (connection, _) =>
        {
            var pending = new List<byte>();
            while (await connection.ReadCommandAsync() is { } command)
            {
                pending.AddRange(command[0] switch
                {
                    "GET" => [.. Encoding.ASCII.GetBytes($"${value.Length}\r\n"), .. value, .. "\r\n"u8.ToArray()],
                    "HGETALL" => Encoding.ASCII.GetBytes("*4\r\n$1\r\na\r\n$-1\r\n$1\r\nb\r\n$2\r\n\r\n\r\n"),
                    _ => Encoding.ASCII.GetBytes(":42\r\n"),
                });
                if (pending.Count > 0 && command[0] == "INCR")
                {
                    await connection.WriteByteByByteAsync([.. pending]);
                    pending.Clear();
                }
            }
        });
        await using var client = new RedisClient(server.Options());

        var get = client.GetAsync("k");
        var hash = client.HashGetAllAsync("h");
        var incr = client.IncrementAsync("c");

        Assert.Equal(value, (await get).ToArray());
        var all = await hash;
        Assert.True(all["a"].IsNull);
        Assert.Equal("\r\n", all["b"].ToString());
        Assert.Equal(42, await incr);
    }

    [Theory]
    [InlineData("$2000000\r\n")]
    [InlineData("*2000000\r\n")]
    public async Task OversizedLength_BeyondLimit_ProtocolErrorThenRecovers(string header)
    {
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync(index == 0 ? header : "+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options(o => o.MaxReplyLength = 1024 * 1024));

        var error = await Assert.ThrowsAsync<RedisProtocolException>(() => client.PingAsync());

        Assert.Equal($"127.0.0.1:{server.Port}", error.EndPoint);
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task OversizedLine_NoTerminatorWithin64KB_ProtocolError()
    {
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync(index == 0 ? "+" + new string('x', 70_000) : "+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options());

        var error = await Assert.ThrowsAsync<RedisProtocolException>(() => client.PingAsync());

        Assert.Equal($"127.0.0.1:{server.Port}", error.EndPoint);
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task UnsolicitedReply_NoCommandWaiting_ResetsConnection()
    {
        var secondConnection = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            if (index == 0)
            {
                await connection.WriteAsync("+SURPRISE\r\n");
            }
            else
            {
                secondConnection.TrySetResult();
            }

            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync("+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options());

        await secondConnection.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task NeverAnswers_CommandTimesOut_ConnectionResetAndNextCommandWorks()
    {
        var time = new FakeTimeProvider();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstClosed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeRedisServer(async (connection, index) =>
        {
            if (index == 0)
            {
                await connection.ReadCommandAsync();
                received.TrySetResult();
                firstClosed.TrySetResult(await connection.WaitForCloseAsync());
                return;
            }

            while (await connection.ReadCommandAsync() is not null)
            {
                await connection.WriteAsync("+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options(o => o.CommandTimeout = TimeSpan.FromSeconds(1)), timeProvider: time);

        var hanging = client.PingAsync();
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(() => hanging);
        Assert.Contains("reset", error.Message, StringComparison.Ordinal);
        Assert.True(await firstClosed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task CancelledCommand_ReplyArrivesLater_NextCommandGetsItsOwnReply()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeRedisServer(async (connection, _) =>
        {
            var first = await connection.ReadCommandAsync();
            var second = await connection.ReadCommandAsync();
            bothReceived.TrySetResult();
            await release.Task;
            await connection.WriteAsync($"${first![1].Length}\r\n{first[1]}\r\n${second![1].Length}\r\n{second[1]}\r\n");
            await connection.WaitForCloseAsync();
        });
        await using var client = new RedisClient(server.Options(o => o.CommandTimeout = TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource();

        var cancelled = client.GetAsync("first", cancel.Token);
        var second = client.GetAsync("second");
        await bothReceived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.TrySetResult();

        Assert.Equal("second", (await second).ToString());
    }

    [Fact]
    public async Task AcceptsButNeverAnswersHandshake_FailsAfterConnectTimeoutNamingEndpoint()
    {
        await using var server = new FakeRedisServer(async (connection, _) => await connection.WaitForCloseAsync());
        await using var client = new RedisClient(server.Options(o =>
        {
            o.Password = "secret-pw";
            o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            o.CommandTimeout = TimeSpan.FromSeconds(30);
        }));

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());

        Assert.Equal($"127.0.0.1:{server.Port}", error.EndPoint);
        Assert.Contains("connectTimeout", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_FailsWithConnectionExceptionNamingEndpoint()
    {
        var port = RedisTestServer.FreePort();
        await using var client = new RedisClient($"127.0.0.1:{port},abortConnect=false,connectTimeout=500");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());

        Assert.Equal($"127.0.0.1:{port}", error.EndPoint);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_AbortConnect_ConnectAsyncThrows()
    {
        var options = RedisConnectionOptions.Parse($"127.0.0.1:{RedisTestServer.FreePort()},abortConnect=true,connectTimeout=500");

        await Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(options));
    }

    [Fact]
    public async Task WrongPassword_ManyCalls_FailFastWithoutReconnectStorm()
    {
        await using var server = new FakeRedisServer(async (connection, _) =>
        {
            while (await connection.ReadCommandAsync() is { } command)
            {
                await connection.WriteAsync(command[0] == "AUTH" ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n" : "+PONG\r\n");
            }
        });
        await using var client = new RedisClient(server.Options(o =>
        {
            o.Password = "nope";
            o.ReconnectMaxDelay = TimeSpan.FromMinutes(5);
        }));

        await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.PingAsync());
        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.PingAsync());
        }

        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task AcceptsAndDropsAtOnce_RepeatedCalls_ReconnectsWithBackoffNotInALoop()
    {
        await using var server = new FakeRedisServer((connection, _) =>
        {
            connection.Dispose();
            return Task.CompletedTask;
        });
        await using var client = new RedisClient(server.Options(o =>
        {
            o.ReconnectBaseDelay = TimeSpan.FromMilliseconds(200);
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(30);
            o.CommandTimeout = TimeSpan.FromMilliseconds(500);
        }));

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAnyAsync<RedisException>(() => client.PingAsync());
        }

        // Give a reconnect loop without backoff the time to show itself (hundreds of connections).
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.InRange(server.ConnectionCount, 1, 15);
    }

    [Fact]
    public async Task Disconnected_BacklogFull_FailsFastWithBacklogException()
    {
        await using var server = new FakeRedisServer(async (connection, _) => await connection.WaitForCloseAsync());
        await using var client = new RedisClient(server.Options(o =>
        {
            o.Password = "pw";
            o.BacklogLimit = 3;
            o.ConnectTimeout = TimeSpan.FromSeconds(30);
            o.CommandTimeout = TimeSpan.FromSeconds(30);
        }));

        var waiting = Enumerable.Range(0, 3).Select(_ => client.PingAsync()).ToArray();
        var error = await Assert.ThrowsAsync<RedisBacklogFullException>(() => client.PingAsync());

        Assert.Contains("backlogLimit=3", error.Message, StringComparison.Ordinal);
        Assert.All(waiting, task => Assert.False(task.IsCompleted));
    }

    [Fact]
    public async Task Tls_SelfSignedServer_ConnectsWithCustomValidation()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(ephemeral.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            await using var ssl = new System.Net.Security.SslStream(tcp.GetStream());
            await ssl.AuthenticateAsServerAsync(certificate);
            var buffer = new byte[1024];
            var text = string.Empty;
            var authAnswered = false;
            while (true)
            {
                var read = await ssl.ReadAsync(buffer);
                if (read == 0)
                {
                    return text;
                }

                text += Encoding.ASCII.GetString(buffer, 0, read);
                if (!authAnswered && text.Contains("AUTH", StringComparison.Ordinal))
                {
                    authAnswered = true;
                    await ssl.WriteAsync("+OK\r\n"u8.ToArray());
                }

                if (text.Contains("PING", StringComparison.Ordinal))
                {
                    await ssl.WriteAsync("+PONG\r\n"u8.ToArray());
                    text = text.Replace("PING", "ping", StringComparison.Ordinal);
                }
            }
        });
        try
        {
            var options = RedisConnectionOptions.Parse($"127.0.0.1:{port},ssl=true,sslHost=localhost,password=tls-pw,abortConnect=false");
            options.CertificateValidation = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString();
            await using var client = new RedisClient(options);

            Assert.True(await client.PingAsync() >= TimeSpan.Zero);
        }
        finally
        {
            listener.Stop();
        }

        Assert.Contains("AUTH", await serve, StringComparison.Ordinal);
    }
}
