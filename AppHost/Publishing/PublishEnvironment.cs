using System.Globalization;

namespace Reference.AppHost.Publishing;

/// <summary>One environment variable of a deployed project: a ConfigMap value, or a Secret key holding a placeholder.</summary>
/// <param name="Name">The variable name (Aspire's conventions: <c>services__NAME__http__0</c>, <c>Section__Key</c>).</param>
/// <param name="Value">The value for a ConfigMap; for a Secret, <see cref="KubernetesConventions.SecretPlaceholder"/>.</param>
/// <param name="SecretSources">The secret parameters the local value is derived from; empty for configuration.</param>
internal sealed record PublishedVariable(string Name, string Value, IReadOnlyList<string> SecretSources)
{
    public bool IsSecret => SecretSources.Count > 0;
}

/// <summary>A project's environment as deployed: ConfigMap and Secret variables, and the Redis servers it connects to.</summary>
internal sealed record PublishedEnvironment(IReadOnlyList<PublishedVariable> Variables, IReadOnlyList<RedisResource> Redis)
{
    public IEnumerable<PublishedVariable> Config => Variables.Where(v => !v.IsSecret);

    public IEnumerable<PublishedVariable> Secrets => Variables.Where(v => v.IsSecret);
}

/// <summary>
/// Computes each project's environment from the model the same way a local run does (conventions, references,
/// then <c>WithEnvironment</c> values, later ones winning), but for a cluster: endpoint URLs become Service or
/// public URLs, and every value that reads a secret parameter becomes a Secret key with a placeholder. Values are
/// computed with the model's own callbacks; which parameters a callback reads is observed, so a derived value
/// (a hash of a client secret) is a secret too and neither it nor the generated dev value is ever written.
/// </summary>
internal static class PublishEnvironment
{
    private const int FirstSentinelPort = 50000;

    public static IReadOnlyDictionary<ProjectResource, PublishedEnvironment> Compute(IReadOnlyList<Resource> resources, string domain)
    {
        var urlMap = AllocateSentinelUrls(resources, domain);
        var secrets = resources.OfType<ParameterResource>().Where(p => p.Secret).Select(p => p.Value)
            .Concat(resources.OfType<RedisResource>().Select(r => r.Password))
            .ToList();
        var result = new Dictionary<ProjectResource, PublishedEnvironment>();
        foreach (var project in resources.OfType<ProjectResource>())
        {
            result[project] = Compute(project, urlMap, secrets);
        }

        return result;
    }

    private static PublishedEnvironment Compute(ProjectResource project, IReadOnlyList<KeyValuePair<string, string>> urlMap, List<string> secrets)
    {
        var variables = new Dictionary<string, PublishedVariable>(StringComparer.Ordinal);
        void Set(string name, string value) => variables[name] = new PublishedVariable(name, value, []);

        Set("ASPNETCORE_ENVIRONMENT", "Production");
        Set("ASPNETCORE_HTTP_PORTS", KubernetesConventions.HttpPort.ToString(CultureInfo.InvariantCulture));
        Set("OTEL_SERVICE_NAME", project.Name);
        Set("OTEL_EXPORTER_OTLP_ENDPOINT", KubernetesConventions.OtlpEndpoint);
        Set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");

        var redis = new List<RedisResource>();
        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case RedisResource server:
                    // Written in the Deployment's env (it expands the password variable), not in the ConfigMap.
                    redis.Add(server);
                    break;
                case ProcessResource process when process.FindEndpoint("http") is not null:
                    // One Service load-balances the replicas: index 0 only.
                    Set($"services__{process.Name}__http__0", KubernetesConventions.InClusterUrl(process.Name));
                    break;
                default:
                    break;
            }
        }

        foreach (var (name, callback) in project.EnvironmentCallbacks)
        {
            var read = new List<ParameterResource>();
            string value;
            ParameterResource.ReadObserver.Value = read.Add;
            try
            {
                value = callback();
            }
            catch (InvalidOperationException ex)
            {
                throw new PublishException($"{project}: the value of environment variable {name} cannot be computed for a deployment ({ex.Message}).");
            }
            finally
            {
                ParameterResource.ReadObserver.Value = null;
            }

            var secretSources = read.Where(p => p.Secret).Select(p => p.Name).Distinct().Order(StringComparer.Ordinal).ToList();
            if (secretSources.Count > 0)
            {
                variables[name] = new PublishedVariable(name, KubernetesConventions.SecretPlaceholder, secretSources);
                continue;
            }

            foreach (var (local, deployed) in urlMap)
            {
                value = value.Replace(local, deployed, StringComparison.Ordinal);
            }

            if (value.Contains(EndpointDefinition.Host, StringComparison.Ordinal))
            {
                throw new PublishException(
                    $"{project}: environment variable {name} holds a local address ({value}) that means nothing in a cluster; use an endpoint reference instead.");
            }

            if (secrets.Exists(s => value.Contains(s, StringComparison.Ordinal)))
            {
                // A secret that reached the value without being read as a parameter (e.g. a Redis password): never publish it.
                throw new PublishException(
                    $"{project}: environment variable {name} contains a secret the model generated; pass it as a secret parameter so it is published as a placeholder.");
            }

            Set(name, value);
        }

        return new PublishedEnvironment([.. variables.Values.OrderBy(v => v.Name, StringComparer.Ordinal)], redis);
    }

    /// <summary>
    /// Gives every endpoint a distinct sentinel port (ports are otherwise allocated at start), so that a callback
    /// reading an endpoint URL yields a recognisable local URL, mapped to the Service URL (or the public URL for
    /// resources with external endpoints: the issuer, redirect URIs).
    /// </summary>
    private static List<KeyValuePair<string, string>> AllocateSentinelUrls(IReadOnlyList<Resource> resources, string domain)
    {
        var next = FirstSentinelPort;
        var map = new List<KeyValuePair<string, string>>();
        foreach (var process in resources.OfType<ProcessResource>())
        {
            foreach (var endpoint in process.Endpoints)
            {
                if (!endpoint.IsAllocated)
                {
                    endpoint.Allocate([.. Enumerable.Range(0, process.Replicas).Select(_ => next++)]);
                }

                var deployed = endpoint.Scheme != "http"
                    ? $"{process.Name}:{KubernetesConventions.RedisPort}"
                    : process.HasExternalHttpEndpoints
                        ? KubernetesConventions.PublicUrl(process.Name, domain)
                        : KubernetesConventions.InClusterUrl(process.Name);
                for (var replica = 0; replica < process.Replicas; replica++)
                {
                    map.Add(new(endpoint.GetUrl(replica), deployed));
                }
            }
        }

        // Longest first, so that no URL is replaced inside a longer one.
        return [.. map.OrderByDescending(p => p.Key.Length)];
    }
}
