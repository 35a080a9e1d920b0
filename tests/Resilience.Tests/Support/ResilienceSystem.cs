using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;

namespace Reference.Resilience.Tests.Support;

/// <summary>
/// Starts the whole Reference system (the AppHost's own model, through the testing builder) with fault-injection
/// wiring added to resources' environments, and the helpers every scenario shares.
/// </summary>
internal static class ResilienceSystem
{
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(150);

    /// <summary>
    /// Declares the model, lets <paramref name="configure"/> add environment overrides, starts it and waits until every
    /// resource is Running and Healthy, except <paramref name="allowedUnhealthy"/>, which only has to be Running.
    /// </summary>
    public static async Task<ReferenceTestApp> StartAsync(Action<DistributedApplication> configure, string? allowedUnhealthy = null)
    {
        var options = new ReferenceAppTestingOptions { StartupTimeout = StartupTimeout };
        var application = await EntryPointInterception.RunEntryPointAsync(options.ToApplicationOptions());
        configure(application);
        if (allowedUnhealthy is null)
        {
            return await ReferenceAppTesting.StartAsync(application, options.StartupTimeout);
        }

        var app = new ReferenceTestApp(application);
        try
        {
            using var deadline = new CancellationTokenSource(options.StartupTimeout);
            await application.StartAsync(deadline.Token);
            foreach (var resource in app.Resources.Select(r => r.Name).Where(n => n != allowedUnhealthy))
            {
                await app.WaitForResourceHealthyAsync(resource, deadline.Token);
            }

            var snapshot = await app.WaitForResourceAsync(allowedUnhealthy, s => s.State == KnownResourceState.Running || s.IsTerminal, deadline.Token);
            Assert.Equal(KnownResourceState.Running, snapshot.State);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets an environment variable of a declared resource, evaluated when it is launched.</summary>
    public static void SetEnvironment(DistributedApplication application, string resourceName, string name, Func<string> value) =>
        ((ProcessResource)application.GetResource(resourceName)).EnvironmentCallbacks.Add(new(name, value));

    /// <summary>The IdentityProvider's issuer (its http endpoint URL), once ports are allocated.</summary>
    public static string IdentityIssuer(DistributedApplication application) =>
        ((ProcessResource)application.GetResource("identity")).GetEndpoint("http").Url;

    /// <summary>Gets an access token from the real IdentityProvider with the client_credentials grant.</summary>
    public static async Task<string> GetTokenAsync(ReferenceTestApp app, string clientId, string scope)
    {
        var secret = app.GetParameterValue($"{clientId}-secret");
        using var identity = app.CreateHttpClient("identity");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = OAuth.Basic(clientId, secret);
        using var response = await identity.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    public static async Task<HttpResponseMessage> GetWithTokenAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// The gateway answered itself (nothing reached a service): the status, its JSON error code, a request id.
    /// </summary>
    public static async Task AssertGatewayErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
        Assert.True(body.RootElement.TryGetProperty("request_id", out _), $"no request_id in {text}");
        Assert.False(body.RootElement.TryGetProperty("subject", out _), $"a service answered: {text}");
    }

    /// <summary>The gateway's readiness: status code and each check's status.</summary>
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, string> Checks)> GetHealthAsync(HttpClient gateway)
    {
        using var response = await gateway.GetAsync("/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var checks = body.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        return (response.StatusCode, checks);
    }

    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }
    }

    /// <summary>Waits until wall-clock time reaches <paramref name="instant"/> (for budgets measured in real time by another process).</summary>
    public static async Task WaitUntilTimeAsync(DateTimeOffset instant)
    {
        var remaining = instant - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
    }
}
