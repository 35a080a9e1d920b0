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

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Startup_InvalidOption_FailsNamingTheKey(string key, string? value, string expected)
    {
        using var provider = BuildServices(new Dictionary<string, string?>(Valid) { [key] = value });

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
