using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

public sealed class InternalTokenOptionsTests
{
    [Theory]
    [InlineData("InternalTokens:Audience", "", "InternalTokens:Audience is required")]
    [InlineData("InternalTokens:Issuer", " ", "InternalTokens:Issuer is required")]
    [InlineData("InternalTokens:JwksUri", "ftp://gateway/jwks", "InternalTokens:JwksUri must be an absolute http(s) URL")]
    [InlineData("InternalTokens:ClockSkew", "00:10:00", "InternalTokens:ClockSkew must be between")]
    [InlineData("InternalTokens:JwksRefreshInterval", "00:00:05", "InternalTokens:JwksRefreshInterval must be at least")]
    [InlineData("InternalTokens:MaxTokenLength", "10", "InternalTokens:MaxTokenLength must be between")]
    [InlineData("InternalTokens:TrustedIssuers:identity:TokenType", "at+jwt", "InternalTokens:TrustedIssuers:identity:Issuer (or InternalTokens:TrustedIssuers:identity:MetadataAddress) is required")]
    [InlineData("InternalTokens:TrustedIssuers:identity:Issuer", "urn:reference:gateway", "InternalTokens:TrustedIssuers:identity:Issuer must differ")]
    [InlineData("InternalTokens:TrustedIssuers:identity:MetadataAddress", "ftp://identity/x", "InternalTokens:TrustedIssuers:identity:JwksUri and")]
    [InlineData("InternalTokens:TrustedIssuers:identity:Algorithms:0", "HS256", "InternalTokens:TrustedIssuers:identity:Algorithms may only contain")]
    [InlineData("InternalTokens:TrustedIssuers:identity:Issuer", "http://idp.test", "InternalTokens:TrustedIssuers:identity:JwksUri (or")]
    public async Task InternalTokenOptions_Invalid_StartFailsNamingTheKey(string key, string value, string expected)
    {
        var configuration = new Dictionary<string, string?> { ["InternalTokens:Audience"] = "orders-api", [key] = value };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.StartAsync(configuration));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InternalTokenOptions_Defaults_MatchTheContract()
    {
        var options = new InternalTokenOptions();

        Assert.Equal("urn:reference:gateway", options.Issuer);
        Assert.Equal(new Uri("http://gateway/.well-known/internal-jwks.json"), options.JwksUri);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.True(new InternalTokenOptionsValidator().Validate(null, options).Failed);
    }
}
