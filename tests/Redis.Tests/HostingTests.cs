using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reference.Redis.Tests.Servers;

namespace Reference.Redis.Tests;

/// <summary><c>builder.AddRedisClient("cache")</c>: registration, validation, health, tracing and metrics.</summary>
public sealed class HostingTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    private static IHost BuildHost(string? connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (connectionString is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:cache", connectionString)]);
        }

        builder.AddRedisClient("cache");
        return builder.Build();
    }

    [Fact]
    public async Task AddRedisClient_ConnectionString_RegistersSingletonThatWorks()
    {
        using var host = BuildHost(fixture.Server.ConnectionString);

        var client = host.Services.GetRequiredService<RedisClient>();

        Assert.Same(client, host.Services.GetRequiredService<RedisClient>());
        Assert.Equal($"127.0.0.1:{fixture.Server.Port}", client.EndPoint);
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task AddRedisClient_MissingConnectionString_StartFailsNamingTheKey()
    {
        using var host = BuildHost(null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:cache is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedisClient_UnknownKey_StartFailsNamingKeyWithoutPassword()
    {
        using var host = BuildHost("localhost:6379,password=topsecret,passwrd=x");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:cache is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("'passwrd'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ServerUp_Healthy()
    {
        using var host = BuildHost(fixture.Server.ConnectionString);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Entries["redis-cache"].Status);
    }

    [Fact]
    public async Task HealthCheck_ServerDown_Unhealthy()
    {
        using var host = BuildHost($"127.0.0.1:{RedisTestServer.FreePort()},abortConnect=false,connectTimeout=300,password=pw");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["redis-cache"].Status);
        Assert.DoesNotContain("password=pw", report.Entries["redis-cache"].Description ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tracing_Command_ActivityHasOperationAndNoKeyValueOrPassword()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RedisInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var key = $"trace-key-{Guid.NewGuid():N}";
        var value = $"trace-value-{Guid.NewGuid():N}";

        await fixture.Client.SetAsync(key, value);
        await Assert.ThrowsAsync<RedisServerException>(() => fixture.Client.HashGetAsync(key, "f"));

        Activity set, hget;
        lock (activities)
        {
            set = activities.Single(a => a.DisplayName == "SET" && a.Duration > TimeSpan.Zero && a.TagObjects.Any(t => t.Key == "server.port" && Equals(t.Value, fixture.Server.Port)));
            hget = activities.Last(a => a.DisplayName == "HGET");
        }

        Assert.Equal("redis", set.GetTagItem("db.system"));
        Assert.Equal("SET", set.GetTagItem("db.operation.name"));
        Assert.Equal(ActivityKind.Client, set.Kind);
        Assert.Equal(ActivityStatusCode.Error, hget.Status);
        Assert.Equal("WRONGTYPE", hget.GetTagItem("error.type"));
        var everything = string.Join("|", set.TagObjects.Concat(hget.TagObjects).Select(t => $"{t.Key}={t.Value}"));
        Assert.DoesNotContain(key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Server.Password, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Commands_RecordDurationErrorsAndBacklog()
    {
        var durations = new List<(double Value, string? Operation)>();
        var errors = new List<string?>();
        var backlog = new List<long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RedisInstrumentation.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == RedisInstrumentation.CommandDurationMetric)
            {
                lock (durations)
                {
                    durations.Add((value, Tag(tags, "db.operation.name")));
                }
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (durations)
            {
                if (instrument.Name == RedisInstrumentation.CommandErrorsMetric)
                {
                    errors.Add(Tag(tags, "error.type"));
                }
                else if (instrument.Name == RedisInstrumentation.BacklogLengthMetric)
                {
                    backlog.Add(value);
                }
            }
        });
        listener.Start();
        var key = $"metrics-{Guid.NewGuid():N}";

        await fixture.Client.SetAsync(key, "v");
        await Assert.ThrowsAsync<RedisServerException>(() => fixture.Client.IncrementAsync(key));
        listener.RecordObservableInstruments();

        lock (durations)
        {
            Assert.Contains(durations, d => d.Operation == "SET" && d.Value > 0);
            Assert.Contains(durations, d => d.Operation == "INCR");
            Assert.Contains("ERR", errors);
            Assert.NotEmpty(backlog);
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
