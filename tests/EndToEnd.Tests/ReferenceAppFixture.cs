using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;

namespace Reference.EndToEnd.Tests;

/// <summary>The whole system, started once for the end-to-end suite through the AppHost testing builder.</summary>
public sealed class ReferenceAppFixture : IAsyncLifetime
{
    private ReferenceTestApp? _app;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>The IdentityProvider's issuer: its endpoint URL without the trailing slash.</summary>
    public string IdentityIssuer => App.GetEndpoint("identity").ToString().TrimEnd('/');

    /// <summary>
    /// The gateway-bff client's access-token lifetime in the test system: shorter than the gateway's
    /// <see cref="BffRefreshBeforeExpiry"/>, so every API call on a BFF session refreshes the session's tokens at the
    /// real IdP (refresh-token rotation exercised end to end without waiting for a token to age).
    /// </summary>
    public static readonly TimeSpan BffAccessTokenLifetime = TimeSpan.FromSeconds(65);

    /// <summary>The gateway's <c>Gateway:Bff:RefreshBeforeExpiry</c> in the test system.</summary>
    public static readonly TimeSpan BffRefreshBeforeExpiry = TimeSpan.FromSeconds(70);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var options = new ReferenceAppTestingOptions();
        var application = await EntryPointInterception.RunEntryPointAsync(options.ToApplicationOptions());
        AddEnvironment(application, "identity", "IdentityProvider__Clients__gateway-bff__AccessTokenLifetime", BffAccessTokenLifetime.ToString("c"));
        AddEnvironment(application, "gateway", "Gateway__Bff__RefreshBeforeExpiry", BffRefreshBeforeExpiry.ToString("c"));

        // demo-client acts as the admin client of the subject-revocation test (POST /connect/revocation/subject).
        AddEnvironment(application, "identity", "IdentityProvider__Clients__demo-client__AllowSubjectRevocation", "true");

        // Every test logs in from 127.0.0.1, mostly as alice, within a few minutes: the login limits (per address 10/min
        // burst 5, 5 failures lock for 5 min; per username 5/min burst 3) would turn later logins into 429s.
        AddEnvironment(application, "identity", "IdentityProvider__RateLimiting__LoginPerIp__PermitLimit", "10000");
        AddEnvironment(application, "identity", "IdentityProvider__RateLimiting__LoginPerIp__Burst", "10000");
        AddEnvironment(application, "identity", "IdentityProvider__RateLimiting__FailedLoginsPerIp__MaxFailures", "10000");
        AddEnvironment(application, "identity", "IdentityProvider__RateLimiting__LoginPerUsername__PermitLimit", "10000");
        AddEnvironment(application, "identity", "IdentityProvider__RateLimiting__LoginPerUsername__Burst", "10000");
        _app = await ReferenceAppTesting.StartAsync(application, options.StartupTimeout, cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Waits until a resource has written a log line containing <paramref name="text"/> (its output reaches the
    /// AppHost asynchronously, after the HTTP response that caused it), and returns the matching lines.</summary>
    public async Task<IReadOnlyList<string>> WaitForLogAsync(string resourceName, string text, int count = 1)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var lines = App.GetLogTail(resourceName, 500).Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
            if (lines.Count >= count || deadline.IsCancellationRequested)
            {
                return lines;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    /// <summary>Sets an environment variable of a resource of the model Program.cs declared, before it starts.</summary>
    private static void AddEnvironment(DistributedApplication application, string resourceName, string name, string value) =>
        ((ProcessResource)application.GetResource(resourceName)).EnvironmentCallbacks.Add(new(name, () => value));

    /// <summary>Gets an access token from the real IdentityProvider with the client_credentials grant.</summary>
    public async Task<string> GetTokenAsync(string clientId, string? scope)
    {
        var secret = App.GetParameterValue(clientId == "demo-client" ? "demo-client-secret" : $"{clientId}-secret");
        using var identity = App.CreateHttpClient("identity");
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        using var response = await identity.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Signs an access token with the IdentityProvider's real RS256 key, read from the data folder it
    /// created at first run. Lets the suite present tokens the real issuer could have signed but whose
    /// claims are wrong (expired, foreign audience).
    /// </summary>
    public static string SignWithIssuerKey(IDictionary<string, object> claims)
    {
        var key = new JsonWebKey(CurrentRs256KeyJson());
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(
            JsonSerializer.Serialize(claims),
            new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            new Dictionary<string, object> { ["typ"] = "at+jwt" });
    }

    /// <summary>The RS256 key signing now: the highest generation already activated
    /// (<c>signing-key-rs256-{generation:D6}.json</c>; a pre-rotation <c>signing-key-rs256.json</c> is generation 0).</summary>
    private static string CurrentRs256KeyJson()
    {
        var directory = Path.Combine(new Projects.IdentityProvider().ProjectDirectory, ".data", "keys");
        var now = DateTimeOffset.UtcNow;
        return Directory.EnumerateFiles(directory, "signing-key-rs256*.json")
            .Select(path => File.ReadAllText(path))
            .Select(json => (Json: json, Document: JsonDocument.Parse(json).RootElement.Clone()))
            .Where(k => !k.Document.TryGetProperty("activates", out var activates) || activates.GetDateTimeOffset() <= now)
            .OrderByDescending(k => k.Document.TryGetProperty("generation", out var generation) ? generation.GetInt32() : 0)
            .Select(k => k.Json)
            .First();
    }
}

[CollectionDefinition(Name)]
public sealed class ReferenceAppTestGroup : ICollectionFixture<ReferenceAppFixture>
{
    public const string Name = "Reference app";
}
