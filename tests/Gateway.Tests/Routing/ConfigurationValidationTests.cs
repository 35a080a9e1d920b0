using Microsoft.Extensions.DependencyInjection;
using Reference.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Reference.Gateway.Tests.Routing;

/// <summary>Bad route metadata or options stop the gateway at startup, with a message naming the route and key.</summary>
public sealed class ConfigurationValidationTests : IAsyncLifetime
{
    private FakeIdentityProvider Idp { get; } = new();

    private RecordingDownstream Orders { get; } = new();

    private RecordingDownstream Inventory { get; } = new();

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "reference-gateway-tests", Guid.NewGuid().ToString("N"));

    public static TheoryData<string, string, string[]> InvalidConfigurations => new()
    {
        {
            "missing Auth.Policy",
            "ReverseProxy:Routes:open:ClusterId=orders|ReverseProxy:Routes:open:Match:Path=/open/{**rest}",
            ["Route 'open'", "'Auth.Policy' is required", "ReverseProxy:Routes:open:Metadata:Auth.Policy"]
        },
        {
            "unknown Auth.Policy",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy=basic",
            ["Route 'orders-read'", "unknown value 'basic'", "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy"]
        },
        {
            "policy in the wrong case",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy=JWT",
            ["Route 'orders-read'", "unknown value 'JWT'"]
        },
        {
            "scopes on an anonymous route",
            "ReverseProxy:Routes:pub:ClusterId=orders|ReverseProxy:Routes:pub:Match:Path=/pub/{**rest}|ReverseProxy:Routes:pub:Metadata:Auth.Policy=anonymous|ReverseProxy:Routes:pub:Metadata:Auth.Scopes=orders.read",
            ["Route 'pub'", "'Auth.Scopes' is set on an anonymous route", "ReverseProxy:Routes:pub:Metadata:Auth.Scopes"]
        },
        {
            "misspelled Auth key",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Scope=orders.read",
            ["Route 'orders-read'", "unknown metadata key 'Auth.Scope'"]
        },
        {
            "scope with a forbidden character",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Scopes=orders\"read",
            ["Route 'orders-read'", "ReverseProxy:Routes:orders-read:Metadata:Auth.Scopes"]
        },
        {
            "jwt route to a cluster without Propagation.Audience",
            "ReverseProxy:Clusters:bare:Destinations:d:Address=http://orders|ReverseProxy:Routes:bare:ClusterId=bare|ReverseProxy:Routes:bare:Match:Path=/bare/{**rest}|ReverseProxy:Routes:bare:Metadata:Auth.Policy=jwt",
            ["Route 'bare'", "cluster 'bare'", "ReverseProxy:Clusters:bare:Metadata:Propagation.Audience"]
        },
        {
            "unregistered scheme in the list",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy=jwt kerberos",
            ["Route 'orders-read'", "unknown value 'kerberos'", "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy"]
        },
        {
            "scheme listed twice",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy=jwt jwt",
            ["Route 'orders-read'", "lists scheme 'jwt' twice", "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy"]
        },
        {
            "anonymous mixed with a scheme",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy=jwt anonymous",
            ["Route 'orders-read'", "mixes 'anonymous' with schemes"]
        },
        {
            "empty Auth.Policy",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Policy= ",
            ["Route 'orders-read'", "'Auth.Policy' is required"]
        },
        {
            "empty Auth.Scopes",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Scopes= ",
            ["Route 'orders-read'", "ReverseProxy:Routes:orders-read:Metadata:Auth.Scopes"]
        },
        {
            "tenant id with upper case",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Tenants=Tenant-A",
            ["Route 'orders-read'", "'Auth.Tenants' must be space-separated tenant ids", "ReverseProxy:Routes:orders-read:Metadata:Auth.Tenants"]
        },
        {
            "tenant id with a path character",
            "ReverseProxy:Routes:orders-read:Metadata:Auth.Tenants=tenant-a ../b",
            ["Route 'orders-read'", "ReverseProxy:Routes:orders-read:Metadata:Auth.Tenants"]
        },
        {
            "Tenant.Required not a boolean",
            "ReverseProxy:Routes:orders-read:Metadata:Tenant.Required=yes",
            ["Route 'orders-read'", "'Tenant.Required' must be true or false", "ReverseProxy:Routes:orders-read:Metadata:Tenant.Required"]
        },
        {
            "Tenant.Required false with Auth.Tenants",
            "ReverseProxy:Routes:orders-read:Metadata:Tenant.Required=false|ReverseProxy:Routes:orders-read:Metadata:Auth.Tenants=tenant-a",
            ["Route 'orders-read'", "'Tenant.Required' is false but 'Auth.Tenants' restricts tenants"]
        },
        {
            "misspelled Tenant key",
            "ReverseProxy:Routes:orders-read:Metadata:Tenant.Requried=true",
            ["Route 'orders-read'", "unknown metadata key 'Tenant.Requried'"]
        },
        {
            "HashCookie session affinity",
            "ReverseProxy:Clusters:orders:SessionAffinity:Enabled=true|ReverseProxy:Clusters:orders:SessionAffinity:Policy=HashCookie",
            ["Cluster 'orders'", "HashCookie", "ReverseProxy:Clusters:orders:SessionAffinity:Policy"]
        },
        {
            "unknown Propagation.Mode on a cluster",
            "ReverseProxy:Clusters:orders:Metadata:Propagation.Mode=jwt-forward",
            ["Cluster 'orders'", "unknown value 'jwt-forward'", "ReverseProxy:Clusters:orders:Metadata:Propagation.Mode"]
        },
        {
            "unknown Propagation.Mode on a route",
            "ReverseProxy:Routes:orders-read:Metadata:Propagation.Mode=Headers",
            ["Route 'orders-read'", "unknown value 'Headers'", "ReverseProxy:Routes:orders-read:Metadata:Propagation.Mode"]
        },
        {
            "headers mode on an untrusted cluster",
            "ReverseProxy:Clusters:orders:Metadata:Propagation.Mode=headers",
            ["Cluster 'orders'", "Network.Trusted=true", "ReverseProxy:Clusters:orders:Metadata:Propagation.Mode"]
        },
        {
            "headers mode on a route to an untrusted cluster",
            "ReverseProxy:Routes:orders-read:Metadata:Propagation.Mode=headers",
            ["Route 'orders-read'", "Network.Trusted=true", "ReverseProxy:Routes:orders-read:Metadata:Propagation.Mode"]
        },
        {
            "Network.Trusted not a boolean",
            "ReverseProxy:Clusters:orders:Metadata:Network.Trusted=yes",
            ["Cluster 'orders'", "'Network.Trusted' must be true or false", "ReverseProxy:Clusters:orders:Metadata:Network.Trusted"]
        },
        {
            "exchange mode without an audience",
            "ReverseProxy:Clusters:bare:Destinations:d:Address=http://orders|ReverseProxy:Clusters:bare:Metadata:Propagation.Mode=exchange",
            ["Cluster 'bare'", "needs the cluster metadata 'Propagation.Audience'", "ReverseProxy:Clusters:bare:Metadata:Propagation.Mode"]
        },
        {
            "exchange mode without the gateway's client secret",
            "ReverseProxy:Routes:orders-read:Metadata:Propagation.Mode=exchange|Gateway:TokenExchange:ClientSecret=",
            ["Route 'orders-read'", "Gateway:TokenExchange:ClientSecret"]
        },
        {
            "delegation scopes empty",
            "ReverseProxy:Clusters:orders:Metadata:Propagation.DelegationScopes= ",
            ["Cluster 'orders'", "one or more space-separated scopes", "ReverseProxy:Clusters:orders:Metadata:Propagation.DelegationScopes"]
        },
        {
            "delegation scopes with a quote",
            "ReverseProxy:Clusters:orders:Metadata:Propagation.DelegationScopes=inventory.read \"x",
            ["Cluster 'orders'", "one or more space-separated scopes"]
        },
        {
            "delegation scopes on a headers cluster",
            "ReverseProxy:Clusters:trusted:Destinations:d:Address=http://orders|ReverseProxy:Clusters:trusted:Metadata:Propagation.Audience=orders-api|ReverseProxy:Clusters:trusted:Metadata:Propagation.Mode=headers|ReverseProxy:Clusters:trusted:Metadata:Network.Trusted=true|ReverseProxy:Clusters:trusted:Metadata:Propagation.DelegationScopes=inventory.read",
            ["Cluster 'trusted'", "only used in exchange mode", "ReverseProxy:Clusters:trusted:Metadata:Propagation.DelegationScopes"]
        },
        {
            "delegation scopes without an audience",
            "ReverseProxy:Clusters:bare:Destinations:d:Address=http://orders|ReverseProxy:Clusters:bare:Metadata:Propagation.Mode=pass-through|ReverseProxy:Clusters:bare:Metadata:Propagation.DelegationScopes=inventory.read",
            ["Cluster 'bare'", "needs 'Propagation.Audience'"]
        },
        {
            "delegation scopes on a route",
            "ReverseProxy:Routes:orders-read:Metadata:Propagation.DelegationScopes=inventory.read",
            ["Route 'orders-read'", "unknown metadata key 'Propagation.DelegationScopes'"]
        },
        {
            "audience set on a route",
            "ReverseProxy:Routes:orders-read:Metadata:Propagation.Audience=orders-api",
            ["Route 'orders-read'", "unknown metadata key 'Propagation.Audience'"]
        },
        {
            "destination service without endpoint",
            "ReverseProxy:Clusters:billing:Destinations:d:Address=http://billing|ReverseProxy:Clusters:billing:Metadata:Propagation.Audience=billing-api",
            ["services:billing:http:0"]
        },
    };

    public async Task InitializeAsync()
    {
        await Idp.StartAsync();
        await Orders.StartAsync();
        await Inventory.StartAsync();
    }

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public async Task Startup_InvalidConfiguration_FailsNamingTheKey(string name, string overrides, string[] expectedFragments)
    {
        var settings = GatewayEnvironment.Settings(Idp, Orders, Inventory, _dataPath);
        foreach (var pair in overrides.Split('|'))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            settings[pair[..separator]] = pair[(separator + 1)..];
        }

        await using var factory = new GatewayFactory(settings);

        var exception = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(exception);
        var messages = AllMessages(exception);
        foreach (var fragment in expectedFragments)
        {
            Assert.True(messages.Contains(fragment, StringComparison.Ordinal), $"{name}: '{fragment}' not in: {messages}");
        }

        Assert.Empty(Orders.Requests);
    }

    [Fact]
    public async Task Startup_DefaultConfiguration_NoClusterUsesHashCookieAffinity()
    {
        await using var factory = new GatewayFactory(GatewayEnvironment.Settings(Idp, Orders, Inventory, _dataPath));
        using var client = factory.CreateClient();

        var config = factory.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        Assert.NotEmpty(config.Routes);
        Assert.Contains(config.Clusters, c => c.ClusterId == "orders");
        Assert.DoesNotContain(config.Clusters, c => string.Equals(c.SessionAffinity?.Policy, "HashCookie", StringComparison.OrdinalIgnoreCase));
        Assert.All(config.Routes, r => Assert.True(r.Metadata?.ContainsKey("Auth.Policy"), r.RouteId));
    }

    public async Task DisposeAsync()
    {
        await Idp.DisposeAsync();
        await Orders.DisposeAsync();
        await Inventory.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private static string AllMessages(Exception exception)
    {
        var messages = new List<string>();
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            messages.Add(current.Message);
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is not null)
            {
                pending.Push(current.InnerException);
            }
        }

        return string.Join(" | ", messages);
    }
}
