using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Publishing;

namespace Reference.AppHost.Tests.Publishing;

/// <summary>The manifests published from the real model (AppHost/Program.cs), parsed and checked structurally.</summary>
public sealed class PublishManifestTests(PublishedModelFixture fixture) : IClassFixture<PublishedModelFixture>
{
    private const string Namespace = "reference";

    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public void Publish_RealModel_WritesBaseAndProductionOverlayFilesThatAllParse()
    {
        Assert.Contains("base/kustomization.yaml", fixture.Files.Keys);
        Assert.Contains("overlays/production/kustomization.yaml", fixture.Files.Keys);
        Assert.All(fixture.Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.Document.Str("apiVersion")), m.ToString());
            Assert.False(string.IsNullOrEmpty(m.Kind), m.ToString());
        });
        Assert.All(fixture.Base.Where(m => m.Kind != "Kustomization"), m => Assert.False(string.IsNullOrEmpty(m.Name)));
    }

    [Fact]
    public void Publish_RealModel_EveryProjectGetsDeploymentServiceConfigMapAndPolicyAndRedisAStatefulSet()
    {
        foreach (var project in fixture.Projects)
        {
            fixture.Get("Deployment", project.Name);
            fixture.Get("Service", project.Name);
            fixture.Get("ConfigMap", project.Name + "-config");
            fixture.Get("NetworkPolicy", project.Name + "-ingress");
        }

        var redis = Assert.Single(fixture.Application.Resources.OfType<RedisResource>());
        var statefulSet = fixture.Get("StatefulSet", redis.Name);
        Assert.Equal(redis.Name, statefulSet.Document.Map("spec").Str("serviceName"));
        Assert.Equal("None", fixture.Get("Service", redis.Name).Document.Map("spec").Str("clusterIP"));
        var claim = Assert.Single(statefulSet.Document.Map("spec").List("volumeClaimTemplates"));
        Assert.Equal("data", claim.Map("metadata").Str("name"));
        Assert.Contains("managed Redis", fixture.Files[$"base/{redis.Name}.yaml"], StringComparison.Ordinal);
    }

    [Fact]
    public void Selectors_EveryWorkloadServicePolicyAndBudget_MatchExactlyOneWorkloadsPodLabels()
    {
        var workloads = Workloads().ToList();
        foreach (var (manifest, labels) in workloads)
        {
            var selector = manifest.Document.Map("spec").Map("selector").Map("matchLabels").Strings();
            Assert.NotEmpty(selector);
            Assert.All(selector, s => Assert.Equal(s.Value, labels.GetValueOrDefault(s.Key)));
        }

        IEnumerable<(Manifest Manifest, Dictionary<string, string> Selector)> selecting =
        [
            .. fixture.OfKind("Service").Select(s => (s, s.Document.Map("spec").Map("selector").Strings())),
            .. fixture.OfKind("PodDisruptionBudget").Select(p => (p, p.Document.Map("spec").Map("selector").Map("matchLabels").Strings())),
            .. fixture.OfKind("NetworkPolicy").Where(p => p.Name != "default-deny-ingress")
                .Select(p => (p, p.Document.Map("spec").Map("podSelector").Map("matchLabels").Strings())),
        ];
        foreach (var (manifest, selector) in selecting)
        {
            var matched = workloads.Where(w => selector.All(s => w.Labels.GetValueOrDefault(s.Key) == s.Value)).ToList();
            var workload = Assert.Single(matched);
            Assert.Equal(manifest.Document.Map("metadata").Map("labels").Str("app.kubernetes.io/name"), workload.Manifest.Name);
        }

        foreach (var hpa in fixture.OfKind("HorizontalPodAutoscaler"))
        {
            var target = hpa.Document.Map("spec").Map("scaleTargetRef");
            fixture.Get(target.Str("kind"), target.Str("name"));
        }
    }

    [Fact]
    public void Probes_Deployments_PointAtTheHealthEndpointsServiceDefaultsMapsOnANamedContainerPort()
    {
        var extensions = File.ReadAllText(Path.Combine(RepositoryRoot, "ServiceDefaults", "Extensions.cs"));
        Assert.Contains($"HealthEndpointPath = \"{HealthEndpoints.Readiness}\"", extensions, StringComparison.Ordinal);
        Assert.Contains($"AlivenessEndpointPath = \"{HealthEndpoints.Liveness}\"", extensions, StringComparison.Ordinal);
        foreach (var project in fixture.Projects)
        {
            var program = File.ReadAllText(Path.Combine(project.Metadata.ProjectDirectory, "Program.cs"));
            Assert.Contains("MapDefaultEndpoints()", program, StringComparison.Ordinal);
            var container = Container(fixture.Get("Deployment", project.Name));
            var portNames = container.List("ports").Select(p => p.Str("name")).ToList();
            Assert.Equal(HealthEndpoints.Readiness, container.Map("readinessProbe").Map("httpGet").Str("path"));
            Assert.Equal(HealthEndpoints.Liveness, container.Map("livenessProbe").Map("httpGet").Str("path"));
            Assert.Equal(project.HealthCheckPath, container.Map("readinessProbe").Map("httpGet").Str("path"));
            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                Assert.Contains(container.Map(probe).Map("httpGet").Str("port"), portNames);
            }
        }
    }

    [Fact]
    public void Ports_ServicesPoliciesAndServiceUrls_MatchTheContainerPorts()
    {
        foreach (var (workload, _) in Workloads())
        {
            var container = Container(workload);
            var ports = container.List("ports").Cast<Dictionary<string, object>>().ToDictionary(p => p.Str("name"), p => p.Number("containerPort"));
            var service = fixture.Get("Service", workload.Name);
            var servicePort = (Dictionary<string, object>)Assert.Single(service.Document.Map("spec").List("ports"));
            Assert.True(ports.TryGetValue(servicePort.Str("targetPort"), out var containerPort), $"{service}: targetPort names no container port");
            Assert.Equal(containerPort, servicePort.Number("port"));
            var policyPorts = fixture.Get("NetworkPolicy", workload.Name + "-ingress").Document.Map("spec").List("ingress")
                .SelectMany(rule => rule.List("ports")).Select(p => p.Number("port")).Distinct();
            Assert.Equal(containerPort, Assert.Single(policyPorts));
        }

        foreach (var configMap in fixture.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in configMap.Document.Map("data").Strings().Where(e => e.Key.StartsWith("services__", StringComparison.Ordinal)))
            {
                var uri = new Uri(value);
                var target = key.Split("__")[1];
                Assert.Equal(target, uri.Host);
                var servicePort = (Dictionary<string, object>)Assert.Single(fixture.Get("Service", target).Document.Map("spec").List("ports"));
                Assert.Equal(servicePort.Number("port"), uri.Port);
            }

            if (configMap.Document.Map("data").Strings().TryGetValue("ASPNETCORE_HTTP_PORTS", out var httpPorts))
            {
                var app = configMap.Name[..^"-config".Length];
                Assert.Equal(long.Parse(httpPorts, System.Globalization.CultureInfo.InvariantCulture), Container(fixture.Get("Deployment", app)).List("ports")[0].Number("containerPort"));
            }
        }
    }

    [Fact]
    public void Environment_EveryVariableTheModelSetsLocally_IsProvidedToTheDeployment()
    {
        var settings = AppHostSettings.FromConfiguration(new ConfigurationBuilder().Build());
        string[] localOnly = [EnvironmentBuilder.AppHostPidVariable, "ASPNETCORE_URLS"];
        foreach (var project in fixture.Projects)
        {
            var needed = EnvironmentBuilder.Build(project, 0, settings, new Dictionary<string, string>()).Keys
                .Where(k => !localOnly.Contains(k))
                .Where(k => !(k.StartsWith("services__", StringComparison.Ordinal) && !k.EndsWith("__0", StringComparison.Ordinal)))
                .ToList();
            var provided = ProvidedVariables(fixture.Get("Deployment", project.Name));
            Assert.NotEmpty(needed);
            Assert.All(needed, name => Assert.True(provided.Contains(name), $"{project.Name} needs {name}, which no ConfigMap, Secret or env entry provides"));
        }
    }

    [Fact]
    public void Environment_ConfigMapSecretAndSecretKeyReferences_AllResolve()
    {
        foreach (var (workload, _) in Workloads())
        {
            var container = Container(workload);
            foreach (var source in container.ListOrEmpty("envFrom"))
            {
                if (source.MapOrNull("configMapRef") is { } configMap)
                {
                    fixture.Get("ConfigMap", configMap.Str("name"));
                }

                if (source.MapOrNull("secretRef") is { } secret)
                {
                    fixture.Get("Secret", secret.Str("name"));
                }
            }

            foreach (var variable in container.ListOrEmpty("env"))
            {
                if (variable.MapOrNull("valueFrom")?.MapOrNull("secretKeyRef") is { } reference)
                {
                    var secret = fixture.Get("Secret", reference.Str("name"));
                    Assert.True(secret.Document.Map("stringData").ContainsKey(reference.Str("key")), $"{workload}: {reference.Str("name")} has no key {reference.Str("key")}");
                }
            }
        }
    }

    [Fact]
    public void Secrets_Published_HoldOnlyPlaceholdersAndNoValueOrHashTheModelGenerated()
    {
        var secrets = fixture.OfKind("Secret").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.All(s.Document.Map("stringData").Strings(), e => Assert.Equal(KubernetesConventions.SecretPlaceholder, e.Value)));

        var forbidden = fixture.Application.Resources.OfType<ParameterResource>().Where(p => p.Secret).Select(p => p.Value)
            .Concat(fixture.Application.Resources.OfType<RedisResource>().Select(r => r.Password))
            .ToList();
        forbidden.AddRange(forbidden.Select(v => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(v)))).ToList());
        var settings = AppHostSettings.FromConfiguration(new ConfigurationBuilder().Build());
        foreach (var project in fixture.Projects)
        {
            // Every local value the publisher classified as secret (hashes, PBKDF2 strings) must not appear either.
            var local = EnvironmentBuilder.Build(project, 0, settings, new Dictionary<string, string>());
            var secretKeys = fixture.OfKind("Secret").Where(s => s.Name == project.Name + "-secrets")
                .SelectMany(s => s.Document.Map("stringData").Keys);
            forbidden.AddRange(secretKeys.Select(k => local[k]));
        }

        Assert.All(forbidden, value => Assert.All(fixture.Files, f => Assert.DoesNotContain(value, f.Value, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("gateway", "Gateway__Bff__ClientSecret")]
    [InlineData("gateway", "Gateway__Introspection__ClientSecret")]
    [InlineData("orders", "TokenExchange__ClientSecret")]
    [InlineData("identity", "IdentityProvider__Clients__gateway-bff__SecretHashes__0")]
    [InlineData("identity", "IdentityProvider__Users__alice__PasswordHash")]
    public void Secrets_SecretDerivedVariable_IsASecretKeyNotAConfigMapKey(string project, string variable)
    {
        Assert.True(fixture.Get("Secret", project + "-secrets").Document.Map("stringData").ContainsKey(variable));
        Assert.False(fixture.Get("ConfigMap", project + "-config").Document.Map("data").ContainsKey(variable));
    }

    [Fact]
    public void NetworkPolicies_EveryPairOfWorkloads_AdmitsExactlyTheIntendedFlows()
    {
        HashSet<(string From, string To)> expected =
        [
            ("ingress-controller", "gateway"), ("ingress-controller", "identity"),
            ("gateway", "identity"), ("gateway", "orders"), ("gateway", "inventory"), ("gateway", "cache"),
            ("orders", "gateway"), ("orders", "identity"), ("orders", "inventory"), ("orders", "cache"),
            ("inventory", "gateway"), ("inventory", "identity"), ("inventory", "cache"),
            ("identity", "cache"),
        ];
        var namespaceLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace };
        var targets = Workloads().Select(w => (Peer: new Peer(w.Manifest.Name, Namespace, namespaceLabels, w.Labels), Port: Container(w.Manifest).List("ports")[0].Number("containerPort"))).ToList();
        var sources = targets.Select(t => t.Peer).Concat(
        [
            new Peer("ingress-controller", KubernetesConventions.IngressNamespace, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = KubernetesConventions.IngressNamespace }, new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ingress-nginx" }),
            new Peer("stranger", Namespace, namespaceLabels, new Dictionary<string, string> { ["app.kubernetes.io/name"] = "debug-shell" }),
            new Peer("other-namespace", "other", new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "other" }, new Dictionary<string, string> { ["app.kubernetes.io/name"] = "gateway" }),
        ]).ToList();
        Assert.Equal(5, targets.Count);

        var actual = new HashSet<(string, string)>();
        foreach (var (target, port) in targets)
        {
            foreach (var source in sources.Where(s => s != target))
            {
                if (NetworkPolicyEvaluator.Admits(fixture.Base, source, target, port))
                {
                    actual.Add((source.Name, target.Name));
                }
            }

            Assert.DoesNotContain(sources, s => NetworkPolicyEvaluator.Admits(fixture.Base, s, target, port + 1));
        }

        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public void NetworkPolicies_HeadersModeDestinations_AdmitOnlyTheGateway()
    {
        var gatewaySettings = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot, "Gateway", "appsettings.json")).Build();
        var headersTargets = gatewaySettings.GetSection("ReverseProxy:Clusters").GetChildren()
            .Where(c => c["Metadata:Propagation.Mode"] == "headers")
            .SelectMany(c => c.GetSection("Destinations").GetChildren().Select(d => new Uri(d["Address"]!).Host))
            .Distinct()
            .ToList();
        Assert.NotEmpty(headersTargets);
        foreach (var target in headersTargets)
        {
            var rule = (Dictionary<string, object>)Assert.Single(fixture.Get("NetworkPolicy", target + "-ingress").Document.Map("spec").List("ingress"));
            var peer = (Dictionary<string, object>)Assert.Single(rule.List("from"));
            Assert.Equal("gateway", peer.Map("podSelector").Map("matchLabels").Str("app.kubernetes.io/name"));
        }
    }

    [Fact]
    public void Deployments_ReplicasRollingUpdateAndResources_FollowTheModel()
    {
        foreach (var project in fixture.Projects)
        {
            var spec = fixture.Get("Deployment", project.Name).Document.Map("spec");
            Assert.Equal(project.Replicas, spec.Number("replicas"));
            Assert.Equal("RollingUpdate", spec.Map("strategy").Str("type"));
            Assert.Equal(1, spec.Map("strategy").Map("rollingUpdate").Number("maxUnavailable"));
            var resources = Container(fixture.Get("Deployment", project.Name)).Map("resources");
            Assert.All(new[] { "requests", "limits" }, k => Assert.All(new[] { "cpu", "memory" }, r => Assert.False(string.IsNullOrEmpty(resources.Map(k).Str(r)))));
            var budgets = fixture.OfKind("PodDisruptionBudget").Where(p => p.Name == project.Name).ToList();
            Assert.Equal(project.Replicas > 1 ? 1 : 0, budgets.Count);
        }
    }

    [Fact]
    public void Gateway_Deployment_SpreadsAcrossZonesAndHasAnAutoscaler()
    {
        var spec = fixture.Get("Deployment", "gateway").Document.Map("spec").Map("template").Map("spec");
        Assert.Contains(spec.List("topologySpreadConstraints"), c => c.Str("topologyKey") == "topology.kubernetes.io/zone");
        var hpa = fixture.Get("HorizontalPodAutoscaler", "gateway").Document.Map("spec");
        Assert.Equal(fixture.Projects.Single(p => p.Name == "gateway").Replicas, hpa.Number("minReplicas"));
        Assert.True(hpa.Number("maxReplicas") > hpa.Number("minReplicas"));
        Assert.Single(fixture.OfKind("HorizontalPodAutoscaler"));
    }

    [Fact]
    public void Ingress_IdentityProvider_ExposesPublicPathsAndKeepsBackChannelPathsOnASourceRestrictedIngress()
    {
        var endpointPaths = File.ReadAllText(Path.Combine(RepositoryRoot, "IdentityProvider", "Endpoints", "EndpointPaths.cs"));
        var publicPaths = IngressPaths(fixture.Get("Ingress", "identity"));
        var backChannel = fixture.Get("Ingress", "identity-backchannel");
        Assert.DoesNotContain("/connect/introspect", publicPaths);
        Assert.DoesNotContain("/connect/token", publicPaths);
        Assert.DoesNotContain("/", publicPaths);
        Assert.Contains("/connect/authorize", publicPaths);
        Assert.Equal(new[] { "/connect/introspect", "/connect/revocation", "/connect/token" }, IngressPaths(backChannel).Order());
        Assert.False(string.IsNullOrEmpty(backChannel.Document.Map("metadata").Map("annotations").Str("nginx.ingress.kubernetes.io/whitelist-source-range")));
        Assert.All(publicPaths.Concat(IngressPaths(backChannel)), p => Assert.Contains($"\"{p}", endpointPaths, StringComparison.Ordinal));
        Assert.Equal(new[] { "gateway", "identity", "identity-backchannel" }, fixture.OfKind("Ingress").Select(i => i.Name).Order());
    }

    [Fact]
    public void Images_Deployments_UseTheContainerRepositoryAndTagOfTheProjectFile()
    {
        foreach (var project in fixture.Projects)
        {
            var document = XDocument.Load(project.Metadata.ProjectPath);
            var repository = document.Descendants("ContainerRepository").Single().Value;
            var tag = document.Descendants("ContainerImageTag").Single().Value;
            Assert.Equal($"{repository}:{tag}", Container(fixture.Get("Deployment", project.Name)).Str("image"));
        }
    }

    [Fact]
    public void Kustomize_BaseListsEveryFileAndTheOverlayOnlyReferencesWhatExists()
    {
        var baseKustomization = fixture.Manifests.Single(m => m.File == "base/kustomization.yaml").Document;
        var listed = baseKustomization.List("resources").Cast<string>().Order().ToList();
        var files = fixture.Files.Keys.Where(k => k.StartsWith("base/", StringComparison.Ordinal) && k != "base/kustomization.yaml").Select(k => k["base/".Length..]).Order().ToList();
        Assert.Equal(files, listed);

        var overlay = fixture.Manifests.Single(m => m.File == "overlays/production/kustomization.yaml").Document;
        Assert.Contains("../../base", overlay.List("resources").Cast<string>());
        Assert.False(string.IsNullOrEmpty(overlay.Str("namespace")));
        foreach (var file in overlay.List("resources").Cast<string>().Where(r => !r.StartsWith("..", StringComparison.Ordinal))
            .Concat(overlay.List("patches").Select(p => p.Str("path"))))
        {
            Assert.Contains($"overlays/production/{file}", fixture.Files.Keys);
        }

        Assert.All(overlay.List("replicas"), r => fixture.Get("Deployment", r.Str("name")));
        var images = fixture.OfKind("Deployment").Select(d => Container(d).Str("image").Split(':')[0]).ToHashSet();
        Assert.All(overlay.List("images"), i => Assert.Contains(i.Str("name"), images));
        foreach (var patch in fixture.Manifests.Where(m => m.File == "overlays/production/resources.yaml"))
        {
            var deployment = fixture.Get(patch.Kind, patch.Name);
            var containerName = Container(patch).Str("name");
            Assert.Equal(Container(deployment).Str("name"), containerName);
        }
    }

    private IEnumerable<(Manifest Manifest, Dictionary<string, string> Labels)> Workloads() =>
        fixture.Base.Where(m => m.Kind is "Deployment" or "StatefulSet")
            .Select(m => (m, m.Document.Map("spec").Map("template").Map("metadata").Map("labels").Strings()));

    private static Dictionary<string, object> Container(Manifest workload) =>
        (Dictionary<string, object>)Assert.Single(workload.Document.Map("spec").Map("template").Map("spec").List("containers"));

    private HashSet<string> ProvidedVariables(Manifest deployment)
    {
        var container = Container(deployment);
        var provided = container.ListOrEmpty("env").Select(e => e.Str("name")).ToHashSet(StringComparer.Ordinal);
        foreach (var source in container.ListOrEmpty("envFrom"))
        {
            var (kind, reference, section) = source.MapOrNull("configMapRef") is { } c ? ("ConfigMap", c, "data") : ("Secret", source.Map("secretRef"), "stringData");
            provided.UnionWith(fixture.Get(kind, reference.Str("name")).Document.Map(section).Keys);
        }

        return provided;
    }

    private static List<string> IngressPaths(Manifest ingress) =>
        [.. ingress.Document.Map("spec").List("rules").SelectMany(r => r.Map("http").List("paths")).Select(p => p.Str("path"))];

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Reference.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Reference.sln not found above the test output.");
    }
}
