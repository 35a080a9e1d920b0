using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tests.Options;

/// <summary>Users, tenants and the browser-facing client settings: bad values stop the start, naming the key.</summary>
public sealed class BrowserOptionsValidationTests : IDisposable
{
    private const string Users = "IdentityProvider:Users";
    private const string Clients = "IdentityProvider:Clients";
    private readonly string _dataPath = IdentityProviderFactory.NewTemporaryDataPath();

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { $"{Users}:alice:TenantId", "tenant-z", $"{Users}:alice:TenantId 'tenant-z' is not a tenant" },
        { $"{Users}:alice:TenantId", "", $"{Users}:alice:TenantId is required" },
        { $"{Users}:alice:SubjectId", "5d2f7c31-bob", "SubjectId '5d2f7c31-bob' is also the SubjectId of IdentityProvider:Users:" },
        { $"{Users}:alice:SubjectId", "has space", $"{Users}:alice:SubjectId is required" },
        { $"{Users}:alice:PasswordHash", "correct horse", $"{Users}:alice:PasswordHash is not in the form" },
        { $"{Users}:alice:PasswordHash", "pbkdf2-sha256$1000$AAAA$AAAA", $"{Users}:alice:PasswordHash is not in the form" },
        { $"{Users}:alice:PasswordHash", PasswordHasher.Hash("x", 10), $"{Users}:alice:PasswordHash uses 10 iterations" },
        { $"{Users}:alice:Email", "not-an-email", $"{Users}:alice:Email 'not-an-email' is not an email address" },
        { $"{Users}:eve:TenantId", "tenant-a", $"{Users}:eve:SubjectId is required" },
        { "IdentityProvider:Tenants:tenant-c:Disabled", "true", "IdentityProvider:Tenants:tenant-c:DisplayName is required" },
        { $"{Clients}:demo-web:RedirectUris:0", "http://app.example/callback", $"{Clients}:demo-web:RedirectUris:0 'http://app.example/callback' must use https" },
        { $"{Clients}:demo-web:RedirectUris:0", "https://app.example/callback#x", "must not contain a fragment" },
        { $"{Clients}:demo-web:RedirectUris:0", "https://*.example/callback", "must not contain a wildcard" },
        { $"{Clients}:demo-web:RedirectUris:0", "/callback", $"{Clients}:demo-web:RedirectUris:0 '/callback' is not an absolute URI" },
        { $"{Clients}:demo-web:RedirectUris:0", "https://user@app.example/cb", "must not contain user information" },
        { $"{Clients}:rp-client:RedirectUris:0", null, $"{Clients}:rp-client:RedirectUris must list at least one redirect URI" },
        { $"{Clients}:demo-web:PostLogoutRedirectUris:0", "http://evil.example/", $"{Clients}:demo-web:PostLogoutRedirectUris:0 'http://evil.example/' must use https" },
        { $"{Clients}:rp-client:BackChannelLogoutUri", "http://rp.example/bc", $"{Clients}:rp-client:BackChannelLogoutUri 'http://rp.example/bc' must use https" },
        { $"{Clients}:demo-spa:SecretHashes:0", SecretHash.Format("a-secret"), $"{Clients}:demo-spa: a public client (IsPublic) has no credentials" },
        { $"{Clients}:demo-spa:AllowedGrantTypes:2", "client_credentials", $"{Clients}:demo-spa:AllowedGrantTypes: a public client may use only authorization_code and refresh_token, not 'client_credentials'" },
        { $"{Clients}:rp-client:AllowedTenants:1", "tenant-z", $"{Clients}:rp-client:AllowedTenants:1 'tenant-z' is not a tenant" },
        { $"{Clients}:rp-client:AllowedScopes:4", "offline_access", $"{Clients}:rp-client:AllowedScopes:4 'offline_access' needs {Clients}:rp-client:AllowOfflineAccess true" },
        { "IdentityProvider:IdTokenLifetime", "00:00:00", "IdentityProvider:IdTokenLifetime must be between" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_BadBrowserSetting_FailsNamingTheKey(string key, string? value, string expectedMessage)
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
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/callback")]
    [InlineData("http://[::1]:8080/callback")]
    [InlineData("http://localhost/callback")]
    [InlineData("https://app.example/callback?tenant=a")]
    public async Task Start_AcceptableRedirectUri_Starts(string redirectUri)
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        settings["IdentityProvider:Clients:demo-web:RedirectUris:1"] = redirectUri;

        await using var app = await IdentityProviderHost.StartAsync(settings, _dataPath);

        Assert.NotNull(app);
    }

    [Fact]
    public async Task Start_SeedUsersWithoutPasswordHashes_StartsAndTheyCannotSignIn()
    {
        var settings = IdentityProviderFactory.DefaultSettings();
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            settings.Remove($"{Users}:{user}:PasswordHash");
        }

        await using var app = await IdentityProviderHost.StartAsync(settings, _dataPath);
        var users = (Reference.IdentityProvider.Stores.Users.ConfigurationUserStore)app.Services.GetService(typeof(Reference.IdentityProvider.Stores.Users.ConfigurationUserStore))!;
        var alice = await users.FindByUsernameAsync("alice", CancellationToken.None);

        Assert.NotNull(alice);
        Assert.Equal("tenant-a", alice.TenantId);
        Assert.Equal(["orders.admin"], alice.Roles);
        Assert.Null(users.GetPasswordHash(alice));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
