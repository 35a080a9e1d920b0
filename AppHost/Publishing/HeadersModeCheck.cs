namespace Reference.AppHost.Publishing;

/// <summary>
/// Refuses to publish a gateway cluster in the <c>headers</c> propagation mode unless its destination can be
/// reached only from that gateway: in that mode the service trusts plain identity headers, so any other pod that
/// can connect to it could impersonate any user. The NetworkPolicies admit a service from the resources that
/// reference it (and from the ingress controller when it has external endpoints), so the destination must be a
/// project referenced by the gateway and by nothing else, without external endpoints.
/// </summary>
internal static class HeadersModeCheck
{
    public static void Validate(IReadOnlyList<Resource> resources, ProjectResource gateway, ProjectSettings settings)
    {
        foreach (var cluster in settings.Configuration.GetSection("ReverseProxy:Clusters").GetChildren())
        {
            var mode = cluster["Metadata:Propagation.Mode"];
            if (!string.Equals(mode, "headers", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var destination in cluster.GetSection("Destinations").GetChildren())
            {
                var address = destination["Address"];
                var where = $"Gateway '{gateway.Name}' cluster '{cluster.Key}' (Propagation.Mode=headers) destination '{destination.Key}' ({address})";
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
                {
                    throw new PublishException($"{where}: the address is not an absolute URL.");
                }

                var target = resources.OfType<ProjectResource>().FirstOrDefault(r => r.Name == uri.Host)
                    ?? throw new PublishException(
                        $"{where}: '{uri.Host}' is not a project of the model, so no NetworkPolicy can restrict it to the gateway; "
                        + "a service that trusts identity headers must accept traffic from the gateway only.");
                if (!gateway.References.Contains(target))
                {
                    throw new PublishException($"{where}: the gateway does not reference '{target.Name}' (add WithReference), so the NetworkPolicy would not admit it.");
                }

                var others = resources.OfType<ProcessResource>()
                    .Where(r => r != gateway && r.References.Contains(target))
                    .Select(r => r.Name)
                    .ToList();
                if (others.Count > 0 || target.HasExternalHttpEndpoints)
                {
                    var who = others.Count > 0 ? string.Join(", ", others) : "the ingress (WithExternalHttpEndpoints)";
                    throw new PublishException(
                        $"{where}: '{target.Name}' trusts identity headers but its NetworkPolicy would also admit {who}, which could then impersonate any user; "
                        + "use another propagation mode for it (internal-token, exchange) or remove those references.");
                }
            }
        }
    }
}
