using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;

namespace Reference.Gateway.Tests.Configuration;

/// <summary>The introspection and BFF options stop the host at start with a message naming the key.</summary>
public sealed class SessionAndIntrospectionOptionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["services:identity:http:0"] = "http://127.0.0.1:5100",
        ["ConnectionStrings:cache"] = "127.0.0.1:1,abortConnect=false",
        ["Gateway:Introspection:ClientSecret"] = "introspection-secret",
        ["Gateway:TokenExchange:ClientSecret"] = "test-exchange-secret",
        ["Gateway:Bff:Authority"] = "http://127.0.0.1:5100",
        ["Gateway:Bff:ClientSecret"] = "bff-secret",
    };

    public static TheoryData<string, string?, string> InvalidOptions => new()
    {
        { "Gateway:Introspection:ClientSecret", null, "Gateway:Introspection:ClientSecret is required" },
        { "Gateway:Introspection:ClientId", " ", "Gateway:Introspection:ClientId is required" },
        { "Gateway:Introspection:Endpoint", "ftp://idp/introspect", "Gateway:Introspection:Endpoint must be an absolute http(s) URL" },
        { "Gateway:Introspection:MaxRetries", "2", "Gateway:Introspection:MaxRetries must be 0 or 1" },
        { "Gateway:Introspection:Timeout", "00:01:00", "Gateway:Introspection:Timeout must be between" },
        { "Gateway:Introspection:MaxCacheEntries", "0", "Gateway:Introspection:MaxCacheEntries must be between" },
        { "Gateway:Introspection:BreakerMinimumThroughput", "1", "Gateway:Introspection:BreakerMinimumThroughput must be at least 2" },
        { "Gateway:Introspection:MaxCachedAge", "02:00:00", "Gateway:Introspection:MaxCachedAge must be between" },
        { "services:identity:http:0", "", "Gateway:Introspection:MetadataAddress 'http://identity/.well-known/openid-configuration' names service 'identity'" },
        { "Gateway:Bff:Authority", null, "Gateway:Bff:Authority is required" },
        { "Gateway:Bff:Authority", "not a url", "Gateway:Bff:Authority is required" },
        { "Gateway:Bff:ClientSecret", "", "Gateway:Bff:ClientSecret is required" },
        { "Gateway:Bff:Scope", "profile email", "Gateway:Bff:Scope must include 'openid'" },
        { "Gateway:Bff:SlidingExpiration", "09:00:00", "Gateway:Bff:SlidingExpiration must not exceed Gateway:Bff:AbsoluteExpiration" },
        { "Gateway:Bff:AbsoluteExpiration", "60.00:00:00", "Gateway:Bff:AbsoluteExpiration must be between" },
        { "Gateway:Bff:PostLogoutRedirectUri", "/relative", "Gateway:Bff:PostLogoutRedirectUri must be an absolute http(s) URL" },
        { "Gateway:Bff:KeyPrefix", "a b", "Gateway:Bff:KeyPrefix must not contain whitespace" },
    };

    [Fact]
    public void Startup_ValidOptions_PassesAndRegistersBothSchemes()
    {
        using var provider = BuildServices(Valid);

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(["introspection", "session"], provider.GetServices<IGatewayAuthenticationScheme>().Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Startup_InvalidOption_FailsNamingTheKey(string key, string? value, string expected)
    {
        using var provider = BuildServices(new Dictionary<string, string?>(Valid) { [key] = value });

        // Several failing options surface as an AggregateException of OptionsValidationExceptions.
        var exception = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.True(exception is OptionsValidationException or AggregateException);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_InvalidSecretOption_NeverEchoesTheOtherSecret()
    {
        using var provider = BuildServices(new Dictionary<string, string?>(Valid) { ["Gateway:Bff:ClientSecret"] = "" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.DoesNotContain("introspection-secret", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddRedisClient("cache", s => s.DisableHealthChecks = true);
        builder.AddIntrospectionAuthentication();
        builder.AddSessionAuthentication();
        return builder.Services.BuildServiceProvider();
    }
}
