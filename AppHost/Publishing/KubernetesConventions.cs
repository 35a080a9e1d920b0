namespace Reference.AppHost.Publishing;

/// <summary>Names, ports and placeholders shared by the manifests, the docs and the tests.</summary>
internal static class KubernetesConventions
{
    /// <summary>The port every .NET container listens on (the official images' ASPNETCORE_HTTP_PORTS default).</summary>
    public const int HttpPort = 8080;

    public const int RedisPort = 6379;

    /// <summary>The value every Secret key holds until an operator provides the real one.</summary>
    public const string SecretPlaceholder = "REPLACE_ME";

    public const string NameLabel = "app.kubernetes.io/name";

    public const string PartOfLabel = "app.kubernetes.io/part-of";

    public const string ComponentLabel = "app.kubernetes.io/component";

    public const string PartOf = "reference";

    /// <summary>Where the ingress controller runs: the namespace admitted to the public workloads.</summary>
    public const string IngressNamespace = "ingress-nginx";

    /// <summary>The OTLP/HTTP collector the services export to (deploy one, or patch the ConfigMaps).</summary>
    public const string OtlpEndpoint = "http://otel-collector:4318";

    public const string PodNameVariable = "POD_NAME";

    public static string ConfigMapName(string resource) => resource + "-config";

    public static string SecretName(string resource) => resource + "-secrets";

    /// <summary>The Secret holding a Redis resource's password (read by the server and by every referencing pod).</summary>
    public static string RedisSecretName(string resource) => resource + "-auth";

    /// <summary>The helper variable a referencing pod reads the Redis password into, expanded in its connection string.</summary>
    public static string RedisPasswordVariable(string resource) => "REFERENCE_" + resource.ToUpperInvariant().Replace('-', '_') + "_PASSWORD";

    public static string InClusterUrl(string resource) => $"http://{resource}:{HttpPort}";

    public static string PublicUrl(string resource, string domain) => $"https://{resource}.{domain}";
}
