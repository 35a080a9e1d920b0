using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tests.Options;

/// <summary>Bad configuration stops the process at start, and the message names the configuration key.</summary>
public sealed class IdentityProviderOptionsValidationTests : IDisposable
{
    private readonly string _dataPath = IdentityProviderFactory.NewTemporaryDataPath();
    private const string Client = "IdentityProvider:Clients:test-client";

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "IdentityProvider:Issuer", null, "IdentityProvider:Issuer is required" },
        { "IdentityProvider:Issuer", "  ", "IdentityProvider:Issuer is required" },
        { "IdentityProvider:Issuer", "identity.example.com", "IdentityProvider:Issuer must be an absolute http or https URL" },
        { "IdentityProvider:Issuer", "/relative", "IdentityProvider:Issuer must be an absolute http or https URL" },
        { "IdentityProvider:Issuer", "ftp://identity.example.com", "IdentityProvider:Issuer must be an absolute http or https URL" },
        { "IdentityProvider:Issuer", "http://localhost/", "IdentityProvider:Issuer must not end with a slash" },
        { "IdentityProvider:Issuer", "https://identity.example.com/tenant/", "IdentityProvider:Issuer must not end with a slash" },
        { "IdentityProvider:Issuer", "http://localhost?tenant=a", "IdentityProvider:Issuer must not contain a query or fragment" },
        { "IdentityProvider:Issuer", "http://localhost#top", "IdentityProvider:Issuer must not contain a query or fragment" },
        { "IdentityProvider:Issuer", "http://user:pw@localhost", "IdentityProvider:Issuer must not contain user information" },
        { "IdentityProvider:AccessTokenLifetime", "00:00:00", "IdentityProvider:AccessTokenLifetime must be between" },
        { "IdentityProvider:AccessTokenLifetime", "-00:05:00", "IdentityProvider:AccessTokenLifetime must be between" },
        { "IdentityProvider:AccessTokenLifetime", "2.00:00:00", "IdentityProvider:AccessTokenLifetime must be between" },
        { "IdentityProvider:AccessTokenLifetime", "00:00:01.5", "IdentityProvider:AccessTokenLifetime must be a whole number of seconds" },
        { "IdentityProvider:Clients:demo-client-b:SecretHashes:0", null, "IdentityProvider:Clients:demo-client-b:SecretHashes must list at least one secret hash" },
        { $"{Client}:SecretHashes:1", "plain-text-secret", $"{Client}:SecretHashes:1 is not in the form" },
        { $"{Client}:SecretHashes:1", "md5:rL0Y20zC+Fzt72VPzMSk2A==", $"{Client}:SecretHashes:1 is not in the form" },
        { $"{Client}:SecretHashes:1", "sha256:not*base64", $"{Client}:SecretHashes:1 is not in the form" },
        { $"{Client}:SecretHashes:1", "sha256:AAAAAAAAAAAAAAAAAAAAAA==", $"{Client}:SecretHashes:1 is not in the form" },
        { $"{Client}:SecretHashes:1", "SHA256:" + Convert.ToBase64String(new byte[32]), $"{Client}:SecretHashes:1 is not in the form" },
        { $"{Client}:AllowedGrantTypes:0", "password", $"{Client}:AllowedGrantTypes:0 'password' is not supported" },
        { $"{Client}:AllowedGrantTypes:1", "implicit", $"{Client}:AllowedGrantTypes:1 'implicit' is not supported" },
        { "IdentityProvider:Clients:es-client:AllowedGrantTypes:0", null, "IdentityProvider:Clients:es-client:AllowedGrantTypes must list at least one grant type" },
        { $"{Client}:AllowedScopes:3", "nope.scope", $"{Client}:AllowedScopes:3 'nope.scope' is not a scope of any IdentityProvider:ApiResources entry" },
        { "IdentityProvider:Clients:es-client:AllowedScopes:0", null, "IdentityProvider:Clients:es-client:AllowedScopes must list at least one scope" },
        { $"{Client}:Claims:sub", "admin", $"{Client}:Claims:sub is a reserved claim" },
        { $"{Client}:Claims:scope", "orders.write", $"{Client}:Claims:scope is a reserved claim" },
        { $"{Client}:Claims:aud", "other-api", $"{Client}:Claims:aud is a reserved claim" },
        { $"{Client}:AccessTokenLifetime", "00:00:00", $"{Client}:AccessTokenLifetime must be between" },
        { "IdentityProvider:ApiResources:es-api:SigningAlgorithm", "HS256", "IdentityProvider:ApiResources:es-api:SigningAlgorithm 'HS256' is not supported" },
        { "IdentityProvider:ApiResources:es-api:SigningAlgorithm", "none", "IdentityProvider:ApiResources:es-api:SigningAlgorithm 'none' is not supported" },
        { "IdentityProvider:ApiResources:es-api:SigningAlgorithm", "es256", "IdentityProvider:ApiResources:es-api:SigningAlgorithm 'es256' is not supported" },
        { "IdentityProvider:ApiResources:es-api:Scopes:1", "bad scope", "IdentityProvider:ApiResources:es-api:Scopes:1 'bad scope' is not a valid scope token" },
        { "IdentityProvider:ApiResources:empty-api:SigningAlgorithm", "RS256", "IdentityProvider:ApiResources:empty-api:Scopes must list at least one scope" },
        { "IdentityProvider:Clients:bad client:SecretHashes:0", SecretHash.Format("x"), "IdentityProvider:Clients:bad client: the client id must be" },
        { "IdentityProvider:Clients:public-client:SecretHashes:0", SecretHash.Format("x"), "IdentityProvider:Clients:public-client: a public client (IsPublic) has no credentials" },
        { "IdentityProvider:Clients:public-client:AllowSubjectRevocation", "true", "IdentityProvider:Clients:public-client:AllowSubjectRevocation needs a confidential client" },
        { "IdentityProvider:Clients:public-client:AllowedGrantTypes:2", "client_credentials", "IdentityProvider:Clients:public-client:AllowedGrantTypes: a public client may use only authorization_code and refresh_token" },
        { "IdentityProvider:Clients:jwt-client:JsonWebKeySet", null, "IdentityProvider:Clients:jwt-client:SecretHashes must list at least one secret hash" },
        { "IdentityProvider:Clients:jwt-client:JsonWebKeySet", """{"keys":[]}""", "IdentityProvider:Clients:jwt-client:JsonWebKeySet must be a JWKS document" },
        { "IdentityProvider:Clients:jwt-client:JsonWebKeySet", "not json", "IdentityProvider:Clients:jwt-client:JsonWebKeySet must be a JWKS document" },
        { "IdentityProvider:Clients:jwt-client:JsonWebKeySet", """{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}""", "IdentityProvider:Clients:jwt-client:JsonWebKeySet must be a JWKS document" },
        { "IdentityProvider:Clients:reference-client:AccessTokenType", "Opaque", "IdentityProvider:Clients:reference-client:AccessTokenType must be 'Jwt' or 'Reference'" },
        { "IdentityProvider:Clients:code-client:RefreshTokenAbsoluteLifetime", "00:30:00", "IdentityProvider:Clients:code-client:RefreshTokenSlidingLifetime must be positive and no longer than" },
        { "IdentityProvider:Clients:code-client:AllowedScopes:5", "profile.admin", "IdentityProvider:Clients:code-client:AllowedScopes:5 'profile.admin' is not a scope" },
        { "IdentityProvider:ApiResources:reference-api:SecretHashes:0", "plain-text", "IdentityProvider:ApiResources:reference-api:SecretHashes:0 is not in the form" },
        { "IdentityProvider:Clients:exchange-client:TokenExchange:AllowedAudiences:1", "payments-api", "IdentityProvider:Clients:exchange-client:TokenExchange:AllowedAudiences:1 'payments-api' is not the name of an IdentityProvider:ApiResources entry" },
        { "IdentityProvider:Clients:exchange-client:TokenExchange:DelegationScopes:reference-api:0", "inventory.read", "IdentityProvider:Clients:exchange-client:TokenExchange:DelegationScopes:reference-api names an audience that is not in" },
        { "IdentityProvider:Clients:exchange-client:TokenExchange:DelegationScopes:orders-api:0", "inventory.write", "IdentityProvider:Clients:exchange-client:TokenExchange:DelegationScopes:orders-api:0 'inventory.write' must be an API resource scope listed in IdentityProvider:Clients:exchange-client:AllowedScopes" },
        { "IdentityProvider:Clients:gateway:TokenExchange:DelegationScopes:orders-api:0", "openid", "IdentityProvider:Clients:gateway:TokenExchange:DelegationScopes:orders-api:0 'openid' must be an API resource scope" },
        { "IdentityProvider:Clients:exchange-client:TokenExchange:MaxTokenLifetime", "02:00:00", "IdentityProvider:Clients:exchange-client:TokenExchange:MaxTokenLifetime must be between" },
        { "IdentityProvider:Clients:exchange-client:TokenExchange:MaxTokenLifetime", "00:00:00", "IdentityProvider:Clients:exchange-client:TokenExchange:MaxTokenLifetime must be between" },
        { "IdentityProvider:Clients:impersonator:AllowedGrantTypes:0", "client_credentials", "IdentityProvider:Clients:impersonator:TokenExchange is configured but IdentityProvider:Clients:impersonator:AllowedGrantTypes does not list" },
        { "IdentityProvider:Clients:test-client:AllowedGrantTypes:1", "urn:ietf:params:oauth:grant-type:token-exchange", "IdentityProvider:Clients:test-client:TokenExchange is required" },
        { "IdentityProvider:KeyRotation:PublishAhead", "90.00:00:00", "IdentityProvider:KeyRotation:PublishAhead must be positive and shorter than IdentityProvider:KeyRotation:RotationInterval" },
        { "IdentityProvider:KeyRotation:RotationInterval", "00:00:00", "IdentityProvider:KeyRotation:RotationInterval must be at least" },
        { "IdentityProvider:KeyRotation:RetainAfterRetirement", "00:05:00", "IdentityProvider:KeyRotation:RetainAfterRetirement (00:05:00) must be at least the longest token lifetime (00:10:00)" },
        { "IdentityProvider:KeyRotation:CheckInterval", "00:00:00", "IdentityProvider:KeyRotation:CheckInterval must be between" },
        { "IdentityProvider:ApiResources:orders-api:Uri", "orders", "IdentityProvider:ApiResources:orders-api:Uri 'orders' must be an absolute URI" },
        { "IdentityProvider:ApiResources:orders-api:Uri", "https://inventory.example.com/", "IdentityProvider:ApiResources:orders-api:Uri 'https://inventory.example.com/' is used by more than one" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_BadConfiguration_FailsNamingTheKey(string key, string? value, string expectedMessage)
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        if (value is null)
        {
            settings.Remove(key);
        }
        else
        {
            settings[key] = value;
        }

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => IdentityProviderHost.StartAsync(settings, _dataPath));

        Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dataPath), "keys were generated although the configuration is invalid");
    }

    [Fact]
    public async Task Start_RetentionShorterThanTheIdTokenLifetime_FailsNamingTheIdTokenLifetime()
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        settings["IdentityProvider:IdTokenLifetime"] = "00:20:00";
        settings["IdentityProvider:KeyRotation:RetainAfterRetirement"] = "00:15:00";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => IdentityProviderHost.StartAsync(settings, _dataPath));

        Assert.Contains("IdentityProvider:KeyRotation:RetainAfterRetirement (00:15:00) must be at least the longest token lifetime (00:20:00)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SeveralBadKeys_ReportsEveryOne()
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        settings["IdentityProvider:Issuer"] = "http://localhost/";
        settings[$"{Client}:AllowedScopes:0"] = "unknown.scope";
        settings.Remove("IdentityProvider:Clients:demo-client:SecretHashes:0");

        var messages = (await Assert.ThrowsAsync<OptionsValidationException>(() => IdentityProviderHost.StartAsync(settings, _dataPath))).Message;
        Assert.Contains("IdentityProvider:Issuer must not end with a slash", messages, StringComparison.Ordinal);
        Assert.Contains($"{Client}:AllowedScopes:0 'unknown.scope'", messages, StringComparison.Ordinal);
        Assert.Contains("IdentityProvider:Clients:demo-client:SecretHashes must list", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShippedAppSettingsWithoutInjectedSecrets_FailsNamingTheDemoClients()
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        settings.Remove("IdentityProvider:Clients:demo-client:SecretHashes:0");
        settings.Remove("IdentityProvider:Clients:demo-client-b:SecretHashes:0");
        settings.Remove("IdentityProvider:Clients:gateway:SecretHashes:0");
        settings.Remove("IdentityProvider:Clients:orders-service:SecretHashes:0");

        var messages = (await Assert.ThrowsAsync<OptionsValidationException>(() => IdentityProviderHost.StartAsync(settings, _dataPath))).Message;
        Assert.Contains("IdentityProvider:Clients:demo-client:SecretHashes", messages, StringComparison.Ordinal);
        Assert.Contains("IdentityProvider:Clients:demo-client-b:SecretHashes", messages, StringComparison.Ordinal);
        Assert.Contains("IdentityProvider:Clients:gateway:SecretHashes", messages, StringComparison.Ordinal);
        Assert.Contains("IdentityProvider:Clients:orders-service:SecretHashes", messages, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("https://identity.example.com")]
    [InlineData("https://identity.example.com/tenant-a")]
    public async Task Start_ValidIssuer_StartsAndAdvertisesIt(string issuer)
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        settings["IdentityProvider:Issuer"] = issuer;

        await using var app = await IdentityProviderHost.StartAsync(settings, _dataPath);
        var json = await TokenRequests.ReadJsonAsync(await app.GetTestClient().GetAsync(TokenRequests.DiscoveryPath));

        Assert.Equal(issuer, json.GetProperty("issuer").GetString());
        Assert.Equal(issuer + "/connect/token", json.GetProperty("token_endpoint").GetString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
