using System.Globalization;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>
/// The environment conventions every child gets (Aspire's): ASPNETCORE_URLS, services__{name}__http__{i},
/// ConnectionStrings__{name}, OTEL_* and the AppHost's pid for the parent watcher.
/// </summary>
internal static class EnvironmentBuilder
{
    /// <summary>The variable holding the AppHost's process id; children exit when that process is gone.</summary>
    public const string AppHostPidVariable = "REFERENCE_APPHOST_PID";

    public static Dictionary<string, string> Build(
        ProcessResource resource, int replica, AppHostSettings settings, IReadOnlyDictionary<string, string> launcherEnvironment)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AppHostPidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            ["OTEL_SERVICE_NAME"] = resource.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={resource.Name}-{replica}-{Guid.NewGuid().ToString("N")[..8]}",
        };
        if (settings.OtlpEndpoint is { } otlp)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            if (settings.OtlpHeaders is { } headers)
            {
                environment["OTEL_EXPORTER_OTLP_HEADERS"] = headers;
            }

            // Export often, so the dashboard shows a request within a second or two (the SDK defaults are 5 s and 60 s).
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
        }

        foreach (var (name, value) in launcherEnvironment)
        {
            environment[name] = value;
        }

        resource.AddConventionalEnvironment(environment, replica);
        if (resource.FindEndpoint("http") is { IsLoadBalanced: true })
        {
            // Behind the AppHost's load balancer: trust its X-Forwarded-For/Proto/Host (it replaces whatever the
            // client sent), so the replica sees the client's address, scheme and the public host.
            environment["ForwardedHeaders__KnownProxies__0"] = EndpointDefinition.Host;
        }

        foreach (var reference in resource.References)
        {
            switch (reference)
            {
                case RedisResource redis:
                    environment[$"ConnectionStrings__{redis.Name}"] = redis.ConnectionString;
                    break;
                case ProcessResource process when process.FindEndpoint("http") is { } http:
                    // The public URL (the load balancer in front of several replicas), unless this resource asked
                    // for the replicas themselves (WithReplicaReference).
                    IReadOnlyList<string> urls = http.IsLoadBalanced && !resource.ReplicaReferenceList.Contains(process) ? [http.PublicUrl] : http.GetUrls();
                    for (var i = 0; i < urls.Count; i++)
                    {
                        environment[string.Create(CultureInfo.InvariantCulture, $"services__{process.Name}__http__{i}")] = urls[i];
                    }

                    break;
                default:
                    break;
            }
        }

        foreach (var (name, value) in resource.EnvironmentCallbacks)
        {
            environment[name] = value();
        }

        return environment;
    }

    /// <summary>Inherited variables that would contradict the conventions (no collector configured → no OTLP export).</summary>
    public static IEnumerable<string> RemovedVariables(AppHostSettings settings) =>
        settings.OtlpEndpoint is null
            ? ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"]
            : settings.OtlpHeaders is null ? ["OTEL_EXPORTER_OTLP_HEADERS"] : [];
}
