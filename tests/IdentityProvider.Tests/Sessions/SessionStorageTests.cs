using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reference.Redis;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Sessions;

public sealed class SessionStorageTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    [Fact]
    public async Task Session_AfterAuthorize_IsStoredUnderItsHashWithSubjectAuthTimeAndClients()
    {
        using var browser = Browser.Create(factory);
        await browser.AuthorizeAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri), "bob");
        var sid = browser.Cookies[Browser.SessionCookie];

        var redis = factory.Services.GetRequiredService<RedisClient>();
        var value = await redis.GetAsync($"{factory.KeyPrefix}session:{Sha256Hex(sid)}");
        using var json = JsonDocument.Parse(value.ToString());

        Assert.Equal("5d2f7c31-bob", json.RootElement.GetProperty("sub").GetString());
        Assert.Equal(factory.Time.GetUtcNow(), json.RootElement.GetProperty("auth_time").GetDateTimeOffset());
        Assert.Equal([RpClientId], json.RootElement.GetProperty("clients").EnumerateArray().Select(e => e.GetString()));
        Assert.False(await redis.ExistsAsync($"{factory.KeyPrefix}session:{sid}"));
    }

    [Fact]
    public async Task Lockout_IsKeyedByTheHashOfTheNormalisedUsername()
    {
        using var browser = Browser.Create(factory);
        var username = "Someone-" + Guid.NewGuid().ToString("N")[..6];

        using var response = await browser.SignInAsync("  " + username + " ", "wrong");

        var redis = factory.Services.GetRequiredService<RedisClient>();
        Assert.True(await redis.ExistsAsync($"{factory.KeyPrefix}ratelimit:lockout-user:{Sha256Hex(username.ToLowerInvariant())}"));
    }

    [Fact]
    public async Task Antiforgery_ReplicasSharingTheDataPath_AcceptEachOthersForms()
    {
        var shared = NewTemporaryDataPath();
        try
        {
            using var first = Create(DefaultSettings(), shared);
            using var second = Create(DefaultSettings(), shared);
            using var browserAtFirst = Browser.Create(first);
            using var page = await browserAtFirst.GetAsync(Browser.LoginPath);
            var token = Browser.AntiforgeryToken(await page.Content.ReadAsStringAsync());
            using var browserAtSecond = Browser.Create(second);
            foreach (var (name, value) in browserAtFirst.Cookies)
            {
                browserAtSecond.Cookies[name] = value;
            }

            using var response = await browserAtSecond.PostFormAsync(Browser.LoginPath, [new("__RequestVerificationToken", token), new("username", "alice"), new("password", UserPassword)]);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(browserAtSecond.Cookies.ContainsKey(Browser.SessionCookie));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(shared, "dataprotection-keys"), "*.xml"));
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
