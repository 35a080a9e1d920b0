namespace Reference.Redis.Tests;

public sealed class ConnectionOptionsTests
{
    [Theory]
    [InlineData("localhost", "localhost", 6379)]
    [InlineData("127.0.0.1:6380", "127.0.0.1", 6380)]
    [InlineData(" redis.internal:7000 ,ssl=false", "redis.internal", 7000)]
    [InlineData("[::1]:6390", "::1", 6390)]
    [InlineData("[::1]", "::1", 6379)]
    [InlineData("::1", "::1", 6379)]
    public void Parse_EndPoint_HostAndPort(string connectionString, string host, int port)
    {
        var options = RedisConnectionOptions.Parse(connectionString);

        Assert.Equal(host, options.Host);
        Assert.Equal(port, options.Port);
    }

    [Fact]
    public void Parse_AspireStyleString_ReadsEveryKey()
    {
        var options = RedisConnectionOptions.Parse(
            "127.0.0.1:6379,password=p@ss=word,user=app,ssl=true,sslHost=cache.local,abortConnect=false,connectTimeout=1500,syncTimeout=250,defaultDatabase=3,name=gateway,keepAlive=60,backlogLimit=42,allowAdmin=true,connectRetry=5");

        Assert.Equal("p@ss=word", options.Password);
        Assert.Equal("app", options.User);
        Assert.True(options.Ssl);
        Assert.Equal("cache.local", options.SslHost);
        Assert.False(options.AbortOnConnectFail);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CommandTimeout);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal("gateway", options.ClientName);
        Assert.Equal(TimeSpan.FromSeconds(60), options.KeepAlive);
        Assert.Equal(42, options.BacklogLimit);
    }

    [Fact]
    public void Parse_Defaults_MatchStackExchangeRedis()
    {
        var options = RedisConnectionOptions.Parse("localhost");

        Assert.Null(options.Password);
        Assert.False(options.Ssl);
        Assert.True(options.AbortOnConnectFail);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommandTimeout);
        Assert.Equal(0, options.DefaultDatabase);
    }

    [Fact]
    public void Parse_KeysAnyCase_AsyncTimeoutOverridesSyncTimeout()
    {
        var options = RedisConnectionOptions.Parse("h:1,ASYNCTIMEOUT=700,SyncTimeout=900,PASSWORD=x");

        Assert.Equal(TimeSpan.FromMilliseconds(700), options.CommandTimeout);
        Assert.Equal("x", options.Password);
    }

    [Theory]
    [InlineData("", "no endpoint")]
    [InlineData("password=x", "no endpoint")]
    [InlineData("h1:1,h2:2", "several endpoints")]
    [InlineData("h:1,pasword=secret", "'pasword'")]
    [InlineData("h:1,channelPrefix=x", "'channelPrefix'")]
    [InlineData("h:1,ssl=maybe", "'ssl'")]
    [InlineData("h:1,connectTimeout=-1", "'connectTimeout'")]
    [InlineData("h:1,defaultDatabase=abc", "'defaultDatabase'")]
    [InlineData("h:99999", "'port'")]
    [InlineData("h:abc", "'port'")]
    [InlineData(":6379", "no valid host")]
    [InlineData("redis://h:6379", "no valid host")]
    [InlineData("[::1:6379", "unterminated")]
    public void Parse_Invalid_ThrowsFormatExceptionNamingTheProblem(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithPassword_RedactsIt()
    {
        var options = RedisConnectionOptions.Parse("h:1,password=hunter2,user=app");

        var text = options.ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("password=*****", text, StringComparison.Ordinal);
        Assert.StartsWith("h:1,user=app", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_RoundTrips_ThroughParse()
    {
        var options = RedisConnectionOptions.Parse("[::1]:7001,ssl=true,abortConnect=false,connectTimeout=123,syncTimeout=456,defaultDatabase=2,name=n");

        var reparsed = RedisConnectionOptions.Parse(options.ToString());

        Assert.Equal(options.ToString(), reparsed.ToString());
        Assert.Equal("[::1]:7001", reparsed.EndPoint);
    }

    [Fact]
    public void TryParse_Whitespace_ReturnsFalseWithReason()
    {
        Assert.False(RedisConnectionOptions.TryParse("  ", out var options, out var error));

        Assert.Null(options);
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }
}
