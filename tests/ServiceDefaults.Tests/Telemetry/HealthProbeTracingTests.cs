using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.Telemetry;

public sealed class HealthProbeTracingTests
{
    private const string PathTag = "test.path";
    private const string HostTag = "test.host";

    [Fact]
    public async Task HealthProbes_AreNotExported_WhileOtherRequestsAre()
    {
        var hostId = Guid.NewGuid().ToString("N");
        var exporter = new RecordingExporter();
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        var time = new FakeTimeProvider();
        await using var host = await ServiceHost.StartAsync(
            ServiceHost.TokenConfiguration(jwks),
            time,
            configureBuilder: b =>
            {
                b.Services.AddSingleton<BaseProcessor<Activity>>(new SimpleActivityExportProcessor(exporter));
            },
            configureApp: app => app.Use((context, next) =>
            {
                // Marks this host's request activities so activities of other hosts in the process are ignored.
                var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
                activity?.SetTag(PathTag, context.Request.Path.Value);
                activity?.SetTag(HostTag, hostId);
                return next(context);
            }));

        // Sees every request activity stop, recorded or not; registered after the tracer provider's
        // listener, so it is told after the export processor. PropagationData leaves sampling to the SDK.
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        Assert.True((await host.Client.GetAsync("/health")).IsSuccessStatusCode);
        Assert.True((await host.Client.GetAsync("/alive")).IsSuccessStatusCode);
        var token = signer.CreateToken(InternalTokenTestSigner.DefaultClaims(time.GetUtcNow(), ServiceHost.Audience, "orders.read"));
        Assert.True((await host.Client.GetWithTokenAsync("/orders", token)).IsSuccessStatusCode);

        // The server activity ends just after the response is written; wait (bounded) until all three ended.
        var ended = await WaitForAsync(() => Mine(stopped).Count() >= 3);
        Assert.True(ended, "the three request activities did not end");

        var exportedPaths = Mine(exporter.Exported).Select(a => a.GetTagItem(PathTag) as string).ToList();
        Assert.Contains("/orders", exportedPaths);
        Assert.DoesNotContain("/health", exportedPaths);
        Assert.DoesNotContain("/alive", exportedPaths);
        Assert.All(Mine(stopped).Where(a => a.GetTagItem(PathTag) is "/health" or "/alive"), a => Assert.False(a.Recorded));

        IEnumerable<Activity> Mine(IEnumerable<Activity> activities) =>
            activities.Where(a => a.GetTagItem(HostTag) as string == hostId);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        return condition();
    }
}
