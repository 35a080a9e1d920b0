using Reference.AppHost.Publishing;
using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.Publishing;

/// <summary>Models that cannot be deployed (securely) fail publishing with an explanation instead of emitting manifests.</summary>
public sealed class PublishModelValidationTests
{
    private const string InventoryHeadersMode = "ReverseProxy__Clusters__inventory__Metadata__Propagation.Mode";

    [Fact]
    public void Publish_HeadersModeDestinationAlsoReferencedByAnotherService_FailsNamingThatService()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (gateway, orders, inventory) = AddServices(builder);
        orders.WithReference(inventory);
        gateway.WithEnvironment(InventoryHeadersMode, "headers");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("cluster 'inventory'", error.Message, StringComparison.Ordinal);
        Assert.Contains("would also admit orders", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_HeadersModeDestinationWithExternalEndpoints_Fails()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (gateway, _, inventory) = AddServices(builder);
        inventory.WithExternalHttpEndpoints();
        gateway.WithEnvironment(InventoryHeadersMode, "headers");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("the ingress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_HeadersModeDestinationOutsideTheModel_FailsBecauseNoPolicyCanRestrictIt()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (gateway, _, _) = AddServices(builder);
        gateway.WithEnvironment("ReverseProxy__Clusters__legacy__Destinations__one__Address", "http://legacy-billing")
            .WithEnvironment("ReverseProxy__Clusters__legacy__Metadata__Propagation.Mode", "headers");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("'legacy-billing' is not a project of the model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_HeadersModeDestinationTheGatewayDoesNotReference_Fails()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var gateway = builder.AddProject<Projects.Gateway>("gateway");
        builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway);
        builder.AddProject<Projects.Inventory_Api>("inventory");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("does not reference 'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_HeadersModeDestinationOnlyTheGatewayReaches_Succeeds()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (gateway, _, _) = AddServices(builder);
        gateway.WithEnvironment(InventoryHeadersMode, "headers");

        var files = KubernetesPublisher.Publish(builder.Build().Resources, "example.com");

        Assert.Contains("base/inventory.yaml", files.Keys);
    }

    [Fact]
    public void Publish_ValueDerivedFromANonSecretParameter_IsConfigurationAndFromASecretOne_IsAPlaceholder()
    {
        var builder = ReferenceAppTesting.CreateBuilder(o => o.Configuration["Parameters:region"] = "eu-west");
        var region = builder.AddParameter("region");
        var key = builder.AddParameter("api-key", secret: true);
        var (gateway, _, _) = AddServices(builder);
        gateway.WithEnvironment("Region", region).WithEnvironment("ApiKeyPrefix", () => key.Resource.Value[..4]);

        var files = KubernetesPublisher.Publish(builder.Build().Resources, "example.com");

        var documents = YamlReader.ReadDocuments(files["base/gateway.yaml"]);
        Assert.Equal("eu-west", documents.Single(d => d.Str("kind") == "ConfigMap").Map("data").Str("Region"));
        Assert.Equal(KubernetesConventions.SecretPlaceholder, documents.Single(d => d.Str("kind") == "Secret").Map("stringData").Str("ApiKeyPrefix"));
        Assert.DoesNotContain(key.Resource.Value[..4], files["base/gateway.yaml"], StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_GeneratedRedisPasswordLeakingIntoAValue_Fails()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var cache = builder.AddRedis("cache");
        var (gateway, _, _) = AddServices(builder);
        gateway.WithEnvironment("Leaky", () => cache.Resource.Password);

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("Leaky", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_LocalAddressLiteral_Fails()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (gateway, _, _) = AddServices(builder);
        gateway.WithEnvironment("Upstream", "http://127.0.0.1:5000");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("Upstream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_Executable_FailsBecauseOnlyProjectsAndRedisAreDeployable()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("tool", "true", ".");

        var error = Assert.Throws<PublishException>(() => KubernetesPublisher.Publish(builder.Build().Resources, "example.com"));

        Assert.Contains("'tool' cannot be published", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_ReplicatedProject_GetsADisruptionBudgetAndTheModelsReplicaCount()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var (_, orders, _) = AddServices(builder);
        orders.WithReplicas(3);

        var files = KubernetesPublisher.Publish(builder.Build().Resources, "example.com");

        var documents = YamlReader.ReadDocuments(files["base/orders.yaml"]);
        Assert.Equal(3, documents.Single(d => d.Str("kind") == "Deployment").Map("spec").Number("replicas"));
        Assert.Equal(1, documents.Single(d => d.Str("kind") == "PodDisruptionBudget").Map("spec").Number("maxUnavailable"));
    }

    private static (IResourceBuilder<ProjectResource> Gateway, IResourceBuilder<ProjectResource> Orders, IResourceBuilder<ProjectResource> Inventory) AddServices(DistributedApplicationBuilder builder)
    {
        var gateway = builder.AddProject<Projects.Gateway>("gateway").WithHttpHealthCheck("/health");
        var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway);
        var inventory = builder.AddProject<Projects.Inventory_Api>("inventory").WithReference(gateway);
        gateway.WithReference(orders).WithReference(inventory);
        return (gateway, orders, inventory);
    }
}
