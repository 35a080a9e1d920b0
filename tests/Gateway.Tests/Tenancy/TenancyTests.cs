using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Tenancy;

/// <summary>A real Kestrel gateway with a tenant registry, host patterns and tenant routes.</summary>
public sealed class TenancyFixture : IAsyncLifetime
{
    public const string OtherIssuer = "https://tenant-i-idp.example.test";

    public GatewayEnvironment Env { get; } = new(
        new Dictionary<string, string?>
        {
            ["Gateway:Tenancy:HostPatterns:0"] = "{tenant}.api.example.test",
            ["Gateway:Tenancy:Tenants:tenant-c:DisplayName"] = "Tenant C",
            ["Gateway:Tenancy:Tenants:tenant-s:Suspended"] = "true",
            ["Gateway:Tenancy:Tenants:tenant-i:Issuer"] = OtherIssuer,
            ["ReverseProxy:Routes:tenant-any:ClusterId"] = "orders",
            ["ReverseProxy:Routes:tenant-any:Match:Path"] = "/api/t/{**rest}",
            ["ReverseProxy:Routes:tenant-any:Metadata:Auth.Policy"] = "jwt",
            ["ReverseProxy:Routes:tenant-any:Metadata:Tenant.Required"] = "true",
            ["ReverseProxy:Routes:tenant-any:Transforms:0:PathRemovePrefix"] = "/api",
            ["ReverseProxy:Routes:tenant-public:ClusterId"] = "orders",
            ["ReverseProxy:Routes:tenant-public:Match:Path"] = "/api/tp/{**rest}",
            ["ReverseProxy:Routes:tenant-public:Metadata:Auth.Policy"] = "anonymous",
            ["ReverseProxy:Routes:tenant-public:Metadata:Tenant.Required"] = "true",
            ["ReverseProxy:Routes:tenant-public:Transforms:0:PathRemovePrefix"] = "/api",
        },
        useKestrel: true,
        configureServices: services => services.AddSingleton<ILoggerProvider>(Logs));

    public static CapturingLoggerProvider Logs { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Env.InitializeAsync();
        Client = new HttpClient { BaseAddress = Env.KestrelAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Env.DisposeAsync();
    }
}

[CollectionDefinition(nameof(TenancyGroup))]
public sealed class TenancyGroup : ICollectionFixture<TenancyFixture>;

[Collection(nameof(TenancyGroup))]
public sealed class TenancyTests(TenancyFixture fixture)
{
    private GatewayEnvironment Env => fixture.Env;

    [Fact]
    public async Task PathTenant_MatchesTokenTenant_ForwardedWithoutTheTenantHeader()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/tenants/tenant-a/orders/42", Token("tenant-a"), header: "tenant-a");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        Assert.Equal("/orders/42", received.Path);
        Assert.Empty(received.Header("x-tenant-id"));
    }

    [Fact]
    public async Task PathTenant_OtherTenantsToken_Returns403TenantMismatch()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/tenants/tenant-b/orders/42", Token("tenant-a"));

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", Env.Orders, Env.Inventory);
    }

    [Fact]
    public async Task TenantMismatch_RaisesSecurityEventAndMetric_WithoutTheToken()
    {
        var meterFactory = Env.Factory.Services.GetRequiredService<IMeterFactory>();
        var reasons = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "gateway.tenant.mismatches" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (reasons)
            {
                reasons.Add(tags.ToArray().Single(t => t.Key == "reason").Value!.ToString()!);
            }
        });
        listener.Start();
        var subject = Guid.NewGuid().ToString("N");
        var token = Env.Idp.CreateToken(editPayload: p => p["sub"] = subject);

        using var response = await SendAsync("/tenants/tenant-b/orders/42", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("token_tenant", reasons);
        var line = Assert.Single(TenancyFixture.Logs.Lines, l => l.Contains("SECURITY tenant_mismatch", StringComparison.Ordinal) && l.Contains(subject, StringComparison.Ordinal));
        Assert.Contains("[2403]", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathTenant_Unknown_Returns404TenantNotFound()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/tenants/tenant-x/orders/42", Token("tenant-x"));

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.NotFound, "tenant_not_found", Env.Orders);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Theory]
    [InlineData("Tenant-A")]
    [InlineData("tenant_a")]
    [InlineData("..")]
    [InlineData("tenant-a%2F..")]
    public async Task PathTenant_Malformed_Returns404TenantNotFound(string tenant)
    {
        Env.ClearRecordings();

        using var response = await SendAsync($"/tenants/{tenant}/orders/42", Token("tenant-a"));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Env.Orders.Requests);
    }

    [Fact]
    public async Task PathTenant_NotInRouteTenants_Returns403TenantNotAllowed()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/tenants/tenant-c/orders/42", Token("tenant-c"));

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_not_allowed", Env.Orders);
    }

    [Fact]
    public async Task HeaderTenant_Suspended_Returns403TenantSuspended()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-s"), header: "tenant-s");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_suspended", Env.Orders);
    }

    [Fact]
    public async Task HeaderTenant_MatchesToken_Forwarded()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-b"), header: "tenant-b");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task HeaderTenant_OtherTenantsToken_Returns403TenantMismatch()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-a"), header: "tenant-b");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", Env.Orders);
    }

    [Fact]
    public async Task HeaderTenant_SeveralValues_Returns400TenantNotIdentified()
    {
        Env.ClearRecordings();
        using var request = Request("/api/t/orders/1", Token("tenant-a"));
        request.Headers.TryAddWithoutValidation("X-Tenant-ID", ["tenant-a", "tenant-b"]);

        using var response = await fixture.Client.SendAsync(request);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.BadRequest, "tenant_not_identified", Env.Orders);
    }

    [Fact]
    public async Task SubdomainTenant_AllowedHost_Forwarded()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-a"), host: "tenant-a.api.example.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task SubdomainTenant_OtherTenantsToken_Returns403TenantMismatch()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-a"), host: "tenant-b.api.example.test");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", Env.Orders);
    }

    [Theory]
    [InlineData("tenant-b.evil.example")]
    [InlineData("tenant-b.api.example.test.evil.example")]
    [InlineData("x.tenant-b.api.example.test")]
    public async Task SpoofedHost_OutsideTheAllowList_CannotSteerTheTenant(string host)
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-a"), host: host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task SpoofedHost_TokenWithoutTenant_Returns400TenantNotIdentified()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token(null), host: "tenant-b.evil.example");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.BadRequest, "tenant_not_identified", Env.Orders);
    }

    [Fact]
    public async Task ForwardedHost_FromAClientThatIsNoKnownProxy_Ignored()
    {
        Env.ClearRecordings();
        using var request = Request("/api/t/orders/1", Token("tenant-a"));
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "tenant-b.api.example.test");

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task ClaimTenant_NoOtherSource_Forwarded()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-b"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task RequestTenant_TokenWithoutTenant_Returns403TenantMismatch()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token(null), header: "tenant-a");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", Env.Orders);
    }

    [Fact]
    public async Task TenantWithOwnIssuer_TokenFromAnotherIssuer_Returns403TenantMismatch()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/t/orders/1", Token("tenant-i"), header: "tenant-i");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", Env.Orders);
    }

    [Fact]
    public async Task AnonymousTenantRoute_NoTenant_Returns400TenantNotIdentified()
    {
        Env.ClearRecordings();

        using var response = await fixture.Client.GetAsync("/api/tp/info");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.BadRequest, "tenant_not_identified", Env.Orders);
    }

    [Fact]
    public async Task AnonymousTenantRoute_KnownTenantHeader_Forwarded()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/tp/info", token: null, header: "tenant-b");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task Registry_TenantSuspendedAtRuntime_RejectedWithoutRestart()
    {
        var configuration = (IConfigurationRoot)Env.Factory.Services.GetRequiredService<IConfiguration>();
        using (var before = await SendAsync("/api/t/orders/1", Token("tenant-c"), header: "tenant-c"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        configuration["Gateway:Tenancy:Tenants:tenant-c:Suspended"] = "true";
        configuration.Reload();
        try
        {
            Env.ClearRecordings();
            using var after = await SendAsync("/api/t/orders/1", Token("tenant-c"), header: "tenant-c");

            await GatewayAssert.RejectedAsync(after, HttpStatusCode.Forbidden, "tenant_suspended", Env.Orders);
        }
        finally
        {
            configuration["Gateway:Tenancy:Tenants:tenant-c:Suspended"] = "false";
            configuration.Reload();
        }
    }

    [Fact]
    public async Task UntenantedRoute_TokenClaimOnly_NotChecked()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/orders/1", Token("tenant-unregistered"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string? Token(string? tenant) => Env.Idp.CreateToken(editPayload: p =>
    {
        if (tenant is null)
        {
            p.Remove("tenant_id");
        }
        else
        {
            p["tenant_id"] = tenant;
        }
    });

    private static HttpRequestMessage Request(string path, string? token, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? token, string? header = null, string? host = null)
    {
        using var request = Request(path, token, host);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Tenant-ID", header);
        }

        return await fixture.Client.SendAsync(request);
    }
}

/// <summary>Behind a known proxy, X-Forwarded-Host is the host the tenant is resolved from.</summary>
public sealed class TenancyBehindKnownProxyTests : IAsyncLifetime
{
    private readonly GatewayEnvironment _env = new(
        new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Gateway:Tenancy:HostPatterns:0"] = "{tenant}.api.example.test",
        },
        useKestrel: true);

    private HttpClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await _env.InitializeAsync();
        Client = new HttpClient { BaseAddress = _env.KestrelAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task ForwardedHost_FromKnownProxy_NamesTheTenant_OtherTenantsToken403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _env.Idp.CreateToken());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "tenant-b.api.example.test");

        using var response = await Client.SendAsync(request);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch", _env.Orders);
    }

    [Fact]
    public async Task ForwardedHost_FromKnownProxy_OwnTenant_Forwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _env.Idp.CreateToken());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "tenant-a.api.example.test");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_env.Orders.Requests);
    }
}
