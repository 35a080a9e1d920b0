namespace Reference.AppHost.Tests.Publishing;

/// <summary>A pod as NetworkPolicies see it: its namespace (and that namespace's labels) and its labels.</summary>
public sealed record Peer(string Name, string Namespace, IReadOnlyDictionary<string, string> NamespaceLabels, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// Evaluates Kubernetes NetworkPolicy ingress rules (matchLabels selectors, TCP ports) the way the API defines
/// them: a pod selected by no Ingress policy admits everything; a selected pod admits a connection when any
/// selecting policy has a rule whose peers and ports match. matchExpressions and ipBlock are not used by the
/// publisher and fail the evaluation.
/// </summary>
public static class NetworkPolicyEvaluator
{
    public static bool Admits(IEnumerable<Manifest> policies, Peer source, Peer target, long port)
    {
        var selecting = policies
            .Where(p => p.Kind == "NetworkPolicy")
            .Where(p => p.Document.Map("spec").List("policyTypes").Contains("Ingress"))
            .Where(p => Selects(p.Document.Map("spec").Map("podSelector"), target.Labels))
            .ToList();
        if (selecting.Count == 0)
        {
            return true;
        }

        return selecting.Any(policy => policy.Document.Map("spec").ListOrEmpty("ingress").Cast<Dictionary<string, object>>().Any(rule =>
            PeersMatch(rule, source, target) && PortsMatch(rule, port)));
    }

    private static bool PeersMatch(Dictionary<string, object> rule, Peer source, Peer target)
    {
        if (!rule.ContainsKey("from"))
        {
            return true;
        }

        return rule.List("from").Cast<Dictionary<string, object>>().Any(peer =>
        {
            Assert.False(peer.ContainsKey("ipBlock"), "ipBlock is not evaluated");
            var pods = peer.MapOrNull("podSelector");
            var namespaces = peer.MapOrNull("namespaceSelector");
            var namespaceMatches = namespaces is null ? source.Namespace == target.Namespace : Selects(namespaces, source.NamespaceLabels);
            var podMatches = pods is null || Selects(pods, source.Labels);
            return namespaceMatches && podMatches;
        });
    }

    private static bool PortsMatch(Dictionary<string, object> rule, long port) =>
        !rule.ContainsKey("ports")
        || rule.List("ports").Cast<Dictionary<string, object>>().Any(p => (p.StrOrNull("protocol") ?? "TCP") == "TCP" && p.Number("port") == port);

    private static bool Selects(Dictionary<string, object> selector, IReadOnlyDictionary<string, string> labels)
    {
        Assert.False(selector.ContainsKey("matchExpressions"), "matchExpressions are not evaluated");
        var matchLabels = selector.MapOrNull("matchLabels") ?? [];
        return matchLabels.All(l => labels.TryGetValue(l.Key, out var value) && value == (string)l.Value);
    }
}
