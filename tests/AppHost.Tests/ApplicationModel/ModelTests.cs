using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.ApplicationModel;

public sealed class ModelTests
{
    [Fact]
    public void Build_WaitForCycle_ThrowsNamingTheCycle()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var a = builder.AddExecutable("a", "true", ".");
        var b = builder.AddExecutable("b", "true", ".").WaitFor(a);
        a.WaitFor(b);

        var error = Assert.Throws<InvalidOperationException>(builder.Build);

        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithReference_Cycle_IsAllowed()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var gateway = builder.AddProject<Projects.Gateway>("gateway");
        var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway);
        gateway.WithReference(orders);

        var app = builder.Build();

        Assert.Equal(2, app.Resources.Count);
        Assert.Same(gateway.Resource, orders.Resource.References.Single());
    }

    [Theory]
    [InlineData("Cache")]
    [InlineData("1cache")]
    [InlineData("my_cache")]
    [InlineData("my cache")]
    public void AddResource_InvalidName_Throws(string name)
    {
        var builder = ReferenceAppTesting.CreateBuilder();

        var error = Assert.Throws<ArgumentException>(() => builder.AddRedis(name));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddResource_DuplicateName_Throws()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddRedis("cache");

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddExecutable("cache", "true", "."));

        Assert.Contains("'cache' already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointUrl_BeforeStart_ThrowsExplainingWhen()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var identity = builder.AddProject<Projects.IdentityProvider>("identity");

        var error = Assert.Throws<InvalidOperationException>(() => identity.GetEndpoint("http").Url);

        Assert.Contains("allocated when the application starts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetEndpoint_UnknownName_Throws()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var cache = builder.AddRedis("cache");

        Assert.Throws<InvalidOperationException>(() => cache.GetEndpoint("http"));
    }

    [Fact]
    public void WithReplicas_OnRedis_Throws()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var cache = builder.AddRedis("cache");

        Assert.Throws<InvalidOperationException>(() => cache.WithReplicas(2));
    }

    [Fact]
    public void WithReference_ExecutableWithoutEndpoint_Throws()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var tool = builder.AddExecutable("tool", "true", ".");
        var web = builder.AddProject<Projects.Gateway>("web");

        Assert.Throws<InvalidOperationException>(() => web.WithReference(tool));
    }

    [Fact]
    public void AddParameter_Configured_UsesConfigurationElseRandomPerBuilder()
    {
        var configured = ReferenceAppTesting.CreateBuilder(o => o.Configuration["Parameters:secret"] = "from-config")
            .AddParameter("secret", secret: true);
        var first = ReferenceAppTesting.CreateBuilder().AddParameter("secret", secret: true);
        var second = ReferenceAppTesting.CreateBuilder().AddParameter("secret", secret: true);

        Assert.Equal("from-config", configured.Resource.Value);
        Assert.NotEqual(first.Resource.Value, second.Resource.Value);
        Assert.True(first.Resource.Secret);
    }

    [Fact]
    public void ProjectMetadata_Generated_PointsAtProjectAndBuildOutput()
    {
        var metadata = new Projects.Orders_Api();

        Assert.EndsWith(Path.Combine("SampleServices", "Orders.Api", "Orders.Api.csproj"), metadata.ProjectPath, StringComparison.Ordinal);
        Assert.EndsWith("Orders.Api.dll", metadata.TargetPath, StringComparison.Ordinal);
        Assert.True(File.Exists(metadata.ProjectPath));
        Assert.Equal(Path.GetDirectoryName(metadata.ProjectPath), metadata.ProjectDirectory);
        Assert.True(File.Exists(metadata.TargetPath));
    }
}
