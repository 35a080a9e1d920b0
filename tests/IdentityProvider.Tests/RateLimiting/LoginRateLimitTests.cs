using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.RateLimiting;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.RateLimiting;

/// <summary>Login attempt limits and failed-login lockouts, each test with its own IdP and small limits.</summary>
public sealed class LoginRateLimitTests
{
    private const string Section = "IdentityProvider:RateLimiting";

    [Fact]
    public async Task Login_AttemptsBeyondThePerAddressBurst_Get429WithRetryAfterAndOneFixedMessage()
    {
        using var factory = Create(Limits(("LoginPerIp", 1, 2)));
        using var browser = Browser.Create(factory);

        var statuses = new List<HttpStatusCode>();
        string? limitedHtml = null;
        TimeSpan? retryAfter = null;
        foreach (var username in new[] { "u1-" + Unique(), "u2-" + Unique(), "u3-secret-name" })
        {
            using var response = await browser.SignInAsync(username, "wrong");
            statuses.Add(response.StatusCode);
            limitedHtml = await response.Content.ReadAsStringAsync();
            retryAfter = response.Headers.RetryAfter?.Delta;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(TimeSpan.FromSeconds(60), retryAfter);
        Assert.Contains(LoginRateLimitedResult.Message, limitedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("u3-secret-name", limitedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("u3-secret-name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_AfterTheRetryAfterDelay_IsAllowedAgain()
    {
        using var factory = Create(Limits(("LoginPerIp", 1, 1)));
        using var browser = Browser.Create(factory);
        using var first = await browser.SignInAsync("alice", "wrong");
        using var limited = await browser.SignInAsync("alice", UserPassword);
        factory.Time.Advance(limited.Headers.RetryAfter!.Delta!.Value);
        using var later = await browser.SignInAsync("alice", UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("signed in", await later.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_RotatingXForwardedForFromAnUntrustedClient_DoesNotDodgeThePerAddressLimit()
    {
        using var factory = Create(Limits(("LoginPerIp", 1, 2)));
        using var browser = StartKestrel(factory);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await SignInWithForwardedForAsync(browser, "user-" + i, $"198.51.100.{i + 1}");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Login_XForwardedForFromAConfiguredKnownProxy_KeysOnTheForwardedAddress()
    {
        var settings = Limits(("LoginPerIp", 1, 2));
        settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        using var factory = Create(settings);
        using var browser = StartKestrel(factory);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await SignInWithForwardedForAsync(browser, "user-" + i, $"198.51.100.{i + 1}");
            statuses.Add(response.StatusCode);
        }

        using var sameAddress = await SignInWithForwardedForAsync(browser, "user-x", "198.51.100.1");
        using var sameAddressAgain = await SignInWithForwardedForAsync(browser, "user-y", "198.51.100.1");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.OK, sameAddress.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, sameAddressAgain.StatusCode);
    }

    [Fact]
    public async Task Login_UsernameVariantsOfCaseWhitespaceAndUnicode_ShareOnePerUsernameBudget()
    {
        using var factory = Create(Limits(("LoginPerUsername", 1, 2)));
        using var browser = Browser.Create(factory);

        var statuses = new List<HttpStatusCode>();
        foreach (var variant in new[] { "Carol", "  carol\t", "ＣＡＲＯＬ", "car\u200Bol", "CAROL " })
        {
            using var response = await browser.SignInAsync(variant, "wrong");
            statuses.Add(response.StatusCode);
        }

        using var otherUser = await browser.SignInAsync("alice", "wrong");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
    }

    [Fact]
    public async Task Login_FiveFailuresFromOneAddress_LockTheAddressForFiveMinutesEvenForTheRightPassword()
    {
        var settings = Limits();
        settings[$"{Section}:FailedLoginsPerIp:MaxFailures"] = "5";
        using var factory = Create(settings);
        using var browser = Browser.Create(factory);
        for (var i = 0; i < 5; i++)
        {
            using var failure = await browser.SignInAsync("ghost-" + i + Unique(), "wrong");
            Assert.Equal(HttpStatusCode.OK, failure.StatusCode);
        }

        using var locked = await browser.SignInAsync("alice", UserPassword);
        factory.Time.Advance(TimeSpan.FromMinutes(5));
        using var unlocked = await browser.SignInAsync("alice", UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(5), locked.Headers.RetryAfter?.Delta);
        Assert.Contains(LoginRateLimitedResult.Message, await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("signed in", await unlocked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("[4006]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_TenFailuresForOneUsernameInAnyLetterCase_LockTheUsernameForFifteenMinutes()
    {
        using var factory = Create(Limits());
        using var browser = Browser.Create(factory);
        for (var i = 0; i < 10; i++)
        {
            using var failure = await browser.SignInAsync(i % 2 == 0 ? "Alice " : "ALICE", "wrong");
        }

        using var locked = await browser.SignInAsync("alice", UserPassword);
        using var otherUser = await browser.SignInAsync("bob", UserPassword);
        factory.Time.Advance(TimeSpan.FromMinutes(15));
        using var unlocked = await browser.SignInAsync("alice", UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
        Assert.Contains("signed in", await otherUser.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("signed in", await unlocked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("LoginPerIp:Burst", "0", $"{Section}:LoginPerIp:Burst must be at least 1")]
    [InlineData("LoginPerUsername:PermitLimit", "0", $"{Section}:LoginPerUsername:PermitLimit must be at least 1")]
    [InlineData("TokenPerClient:Period", "00:00:00", $"{Section}:TokenPerClient:Period must be positive")]
    [InlineData("FailedLoginsPerUsername:MaxFailures", "0", $"{Section}:FailedLoginsPerUsername:MaxFailures must be at least 1")]
    public async Task Start_BadRateLimitSetting_FailsNamingTheKey(string key, string value, string expectedMessage)
    {
        var settings = DefaultSettings();
        settings[$"{Section}:{key}"] = value;
        var dataPath = NewTemporaryDataPath();
        try
        {
            var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => IdentityProviderHost.StartAsync(settings, dataPath));

            Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
        }
    }

    /// <summary>The test defaults, the username lockout and per-IP lockout at their defaults, and the given rules as "N per minute, burst B".</summary>
    internal static Dictionary<string, string?> Limits(params (string Rule, int PerMinute, int Burst)[] rules)
    {
        var settings = DefaultSettings();
        foreach (var (rule, perMinute, burst) in rules)
        {
            settings[$"{Section}:{rule}:PermitLimit"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"{Section}:{rule}:Period"] = "00:01:00";
            settings[$"{Section}:{rule}:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static async Task<HttpResponseMessage> SignInWithForwardedForAsync(Browser browser, string username, string forwardedFor)
    {
        using var page = await browser.GetAsync(Browser.LoginPath);
        var html = await page.Content.ReadAsStringAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, Browser.LoginPath)
        {
            Content = new FormUrlEncodedContent(
            [
                new("__RequestVerificationToken", Browser.AntiforgeryToken(html)),
                new("username", username),
                new("password", "wrong"),
            ]),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await browser.SendAsync(request);
    }

    private static Browser StartKestrel(IdentityProviderFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Browser(factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(address), AllowAutoRedirect = false, HandleCookies = false }));
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..6];
}
