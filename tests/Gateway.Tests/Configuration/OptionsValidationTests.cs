using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication.Jwt;

namespace Reference.Gateway.Tests.Configuration;

/// <summary>
/// Bad options stop the host at start (ValidateOnStart) with a message naming the key. Checked through the
/// host's own start-up validator, which Host.StartAsync runs before anything else.
/// </summary>
public sealed class OptionsValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Gateway:Authentication:Jwt:Issuer"] = "http://127.0.0.1:5100",
        ["services:identity:http:0"] = "http://127.0.0.1:5100",
    };

    public static TheoryData<string, string?, string> InvalidOptions => new()
    {
        { "Gateway:Authentication:Jwt:Issuer", "", "Gateway:Authentication:Jwt:Issuer is required" },
        { "Gateway:Authentication:Jwt:Issuer", "not a url", "Gateway:Authentication:Jwt:Issuer must be an absolute http(s) URL" },
        { "services:identity:http:0", "", "Gateway:Authentication:Jwt:MetadataAddress 'http://identity/.well-known/openid-configuration' names service 'identity'" },
        { "Gateway:Authentication:Jwt:MetadataAddress", "ftp://idp/meta", "Gateway:Authentication:Jwt:MetadataAddress must be an absolute http(s) URL" },
        { "Gateway:Authentication:Jwt:Audience", " ", "Gateway:Authentication:Jwt:Audience is required" },
        { "Gateway:Authentication:Jwt:ValidAlgorithms:0", "HS256", "Gateway:Authentication:Jwt:ValidAlgorithms:0 'HS256'" },
        { "Gateway:Authentication:Jwt:ValidAlgorithms:0", "none", "Gateway:Authentication:Jwt:ValidAlgorithms:0 'none'" },
        { "Gateway:Authentication:Jwt:ClockSkew", "00:10:00", "Gateway:Authentication:Jwt:ClockSkew must be between" },
        { "Gateway:Authentication:Jwt:MaxTokenLength", "10", "Gateway:Authentication:Jwt:MaxTokenLength must be between" },
        { "Gateway:Authentication:Jwt:JwksCacheDuration", "00:00:01", "Gateway:Authentication:Jwt:JwksCacheDuration must be between" },
        { "Gateway:Authentication:Jwt:MaxStaleAge", "2.00:00:00", "Gateway:Authentication:Jwt:MaxStaleAge must be between" },
        { "Gateway:Authentication:Jwt:JwksMinCacheDuration", "00:00:05", "Gateway:Authentication:Jwt:JwksMinCacheDuration must be between" },
        { "Gateway:Authentication:Jwt:JwksFetchTimeout", "00:00:00", "Gateway:Authentication:Jwt:JwksFetchTimeout must be between" },
        { "Gateway:Tenancy:PathPrefix", "tenants", "Gateway:Tenancy:PathPrefix must start and end with '/'" },
        { "Gateway:Tenancy:HostPatterns:0", "api.example.com", "Gateway:Tenancy:HostPatterns:0 'api.example.com'" },
        { "Gateway:Tenancy:HostPatterns:0", "{tenant}.", "Gateway:Tenancy:HostPatterns:0 '{tenant}.'" },
        { "Gateway:Tenancy:Tenants:Bad_Tenant:Plan", "gold", "Gateway:Tenancy:Tenants:Bad_Tenant" },
        { "Gateway:Tenancy:Tenants:tenant-a:Issuer", "not-a-url", "Gateway:Tenancy:Tenants:tenant-a:Issuer must be an absolute http(s) URL" },
        { "Gateway:Authentication:Jwt:Issuers:x:Issuer", "https://x.example.test", "Gateway:Authentication:Jwt:Issuers:x:JwksUri or Gateway:Authentication:Jwt:Issuers:x:MetadataAddress is required" },
        { "Gateway:Authentication:Jwt:Issuers:x:Audiences:0", "a", "Gateway:Authentication:Jwt:Issuers:x:Issuer is required" },
        { "Gateway:InternalTokens:Lifetime", "00:05:01", "Gateway:InternalTokens:Lifetime must be between 00:00:01 and 00:05:00" },
        { "Gateway:InternalTokens:Lifetime", "00:00:00", "Gateway:InternalTokens:Lifetime must be between 00:00:01 and 00:05:00" },
        { "Gateway:InternalTokens:Issuer", "", "Gateway:InternalTokens:Issuer is required" },
        { "Gateway:InternalTokens:DataPath", " ", "Gateway:InternalTokens:DataPath is required" },
        { "Gateway:Security:InboundHeaders:AdditionalHeaders:0", "X Bad", "Gateway:Security:InboundHeaders:AdditionalHeaders:0 'X Bad' is not a valid HTTP header name" },
    };

    [Fact]
    public void Startup_ValidOptions_Passes()
    {
        using var provider = BuildServices(Valid);

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(["RS256", "ES256"], provider.GetRequiredService<IOptions<JwtValidationOptions>>().Value.ValidAlgorithms);
    }

    [Fact]
    public void Startup_SingleIssuerKeys_DescribeIssuerNamedDefault()
    {
        using var provider = BuildServices(Valid);

        var options = provider.GetRequiredService<IOptions<JwtValidationOptions>>().Value;

        var issuer = Assert.Single(options.Issuers);
        Assert.Equal("default", issuer.Key);
        Assert.Equal("http://127.0.0.1:5100", issuer.Value.Issuer);
        Assert.Equal(["reference-api"], issuer.Value.Audiences);
        Assert.Equal(["RS256", "ES256"], issuer.Value.Algorithms);
        Assert.Equal(TimeSpan.FromSeconds(30), issuer.Value.ClockSkew);
    }

    [Fact]
    public void Startup_IssuersListed_SingleIssuerKeysIgnored()
    {
        using var provider = BuildServices(new Dictionary<string, string?>(Valid)
        {
            ["Gateway:Authentication:Jwt:Issuers:corp:Issuer"] = "https://corp.example.test",
            ["Gateway:Authentication:Jwt:Issuers:corp:JwksUri"] = "https://corp.example.test/jwks",
            ["Gateway:Authentication:Jwt:Issuers:corp:Audiences:0"] = "corp-api",
            ["Gateway:Authentication:Jwt:Issuers:corp:Algorithms:0"] = "PS256",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<JwtValidationOptions>>().Value;

        Assert.Equal("corp", Assert.Single(options.Issuers).Key);
        Assert.Equal(["PS256"], options.AcceptedAlgorithms);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Startup_InvalidOption_FailsNamingTheKey(string key, string? value, string expected)
    {
        using var provider = BuildServices(new Dictionary<string, string?>(Valid) { [key] = value });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidIssuers => new()
    {
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=https://x.example.test/jwks|Gateway:Authentication:Jwt:Issuers:x:Audiences:0=a|Gateway:Authentication:Jwt:Issuers:x:Algorithms:0=HS256",
            "Gateway:Authentication:Jwt:Issuers:x:Algorithms:0 'HS256'"
        },
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=https://x.example.test/jwks",
            "Gateway:Authentication:Jwt:Issuers:x:Audiences is required"
        },
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=https://x.example.test/jwks|Gateway:Authentication:Jwt:Issuers:x:MetadataAddress=https://x.example.test/meta|Gateway:Authentication:Jwt:Issuers:x:Audiences:0=a",
            "are both set for issuer 'x'"
        },
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=https://x.example.test/jwks|Gateway:Authentication:Jwt:Issuers:x:Audiences:0=a|Gateway:Authentication:Jwt:Issuers:x:ClockSkew=01:00:00",
            "Gateway:Authentication:Jwt:Issuers:x:ClockSkew must be between"
        },
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=https://x.example.test/jwks|Gateway:Authentication:Jwt:Issuers:x:Audiences:0=a|Gateway:Authentication:Jwt:Issuers:y:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:y:JwksUri=https://x.example.test/jwks|Gateway:Authentication:Jwt:Issuers:y:Audiences:0=a",
            "is also configured as issuer"
        },
        {
            "Gateway:Authentication:Jwt:Issuers:x:Issuer=https://x.example.test|Gateway:Authentication:Jwt:Issuers:x:JwksUri=http://unknown-service/jwks|Gateway:Authentication:Jwt:Issuers:x:Audiences:0=a",
            "Gateway:Authentication:Jwt:Issuers:x:JwksUri 'http://unknown-service/jwks' names service 'unknown-service'"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidIssuers))]
    public void Startup_InvalidIssuer_FailsNamingTheKey(string settings, string expected)
    {
        var values = new Dictionary<string, string?>(Valid);
        foreach (var pair in settings.Split('|'))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            values[pair[..separator]] = pair[(separator + 1)..];
        }

        using var provider = BuildServices(values);

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddGatewayAuthentication();
        builder.AddInternalTokens();
        return builder.Services.BuildServiceProvider();
    }
}
