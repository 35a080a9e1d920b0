using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.Users;
using Reference.IdentityProvider.Tokens;
using Reference.Redis;
using Reference.TestUtilities;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests;

/// <summary>
/// The IdentityProvider with hand-written users and ID tokens (the browser side owns the real ones), and helpers for
/// the token lifecycle: codes created straight in the code store with a known PKCE pair, redemption, refresh,
/// introspection and revocation.
/// </summary>
public sealed class LifecycleHost : IDisposable
{
    public const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    public const string Alice = "alice";
    public const string InactiveUser = "mallory";

    private readonly WebApplicationFactory<Program> _app;

    public LifecycleHost()
        : this(new IdentityProviderFactory())
    {
    }

    internal LifecycleHost(IdentityProviderFactory factory, Action<IServiceCollection>? configureServices = null)
    {
        Factory = factory;
        _app = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IUserStore>(Users);
            services.AddSingleton<IIdTokenService>(IdTokens);
            configureServices?.Invoke(services);
        }));
    }

    public static string Challenge { get; } = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public IdentityProviderFactory Factory { get; }

    public FakeTimeProvider Time => Factory.Time;

    public IServiceProvider Services => _app.Services;

    internal TestUserStore Users { get; } = new(
        new User(Alice, "alice", "tenant-a", "alice@example.com", true, "Alice", ["admin"], IsActive: true),
        new User(InactiveUser, "mallory", "tenant-a", null, false, "Mallory", [], IsActive: false));

    internal TestIdTokenService IdTokens { get; } = new();

    public HttpClient CreateClient() => _app.CreateClient();

    public RedisClient Redis => Services.GetRequiredService<RedisClient>();

    public async Task<string> CreateCodeAsync(
        string clientId = CodeClientId,
        string scope = "openid offline_access orders.read",
        string? challenge = null,
        string subject = Alice,
        TimeSpan? lifetime = null,
        string redirectUri = RedirectUri)
    {
        var now = Time.GetUtcNow();
        var code = new AuthorizationCode(clientId, redirectUri, challenge ?? Challenge, scope.Split(' '), subject, "sid-" + Guid.NewGuid().ToString("N"), "nonce-1", now, now, now + (lifetime ?? TimeSpan.FromSeconds(60)));
        return await Services.GetRequiredService<IAuthorizationCodeStore>().CreateAsync(code, CancellationToken.None);
    }

    public Task<HttpResponseMessage> RedeemAsync(string code, string clientId = CodeClientId, string? secret = CodeClientSecret, string? verifier = Verifier, string redirectUri = RedirectUri)
    {
        var form = new List<KeyValuePair<string, string>> { P("grant_type", "authorization_code"), P("code", code), P("redirect_uri", redirectUri) };
        if (verifier is not null)
        {
            form.Add(P("code_verifier", verifier));
        }

        return SendTokenRequestAsync(form, clientId, secret);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = CodeClientId, string? secret = CodeClientSecret, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { P("grant_type", "refresh_token"), P("refresh_token", refreshToken) };
        if (scope is not null)
        {
            form.Add(P("scope", scope));
        }

        return SendTokenRequestAsync(form, clientId, secret);
    }

    /// <summary>Redeems a fresh code and returns the token response (asserting success).</summary>
    public async Task<JsonElement> SignInAsync(string clientId = CodeClientId, string? secret = CodeClientSecret, string scope = "openid offline_access orders.read")
    {
        using var response = await RedeemAsync(await CreateCodeAsync(clientId, scope), clientId, secret);
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    public async Task<JsonElement> IntrospectAsync(string token, string caller = "reference-api", string secret = ReferenceApiSecret, string? hint = null)
    {
        using var response = await SendIntrospectionAsync(token, caller, secret, hint);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await ReadJsonAsync(response);
    }

    public Task<HttpResponseMessage> SendIntrospectionAsync(string token, string? caller = "reference-api", string? secret = ReferenceApiSecret, string? hint = null)
    {
        var form = new List<KeyValuePair<string, string>> { P("token", token) };
        if (hint is not null)
        {
            form.Add(P("token_type_hint", hint));
        }

        return SendAsync("/connect/introspect", form, caller, secret);
    }

    public Task<HttpResponseMessage> RevokeAsync(string token, string? clientId = CodeClientId, string? secret = CodeClientSecret, string? hint = null)
    {
        var form = new List<KeyValuePair<string, string>> { P("token", token) };
        if (hint is not null)
        {
            form.Add(P("token_type_hint", hint));
        }

        return SendAsync("/connect/revocation", form, clientId, secret);
    }

    public Task<HttpResponseMessage> RevokeSubjectAsync(string? subject, string? clientId = TestClientId, string? secret = TestClientSecret)
    {
        var form = new List<KeyValuePair<string, string>>();
        if (subject is not null)
        {
            form.Add(P("subject", subject));
        }

        return SendAsync("/connect/revocation/subject", form, clientId, secret);
    }

    public void Dispose()
    {
        _app.Dispose();
        Factory.Dispose();
    }

    private Task<HttpResponseMessage> SendTokenRequestAsync(List<KeyValuePair<string, string>> form, string clientId, string? secret) =>
        SendAsync(TokenPath, form, clientId, secret);

    /// <summary>Basic authentication when a secret is given; a public client's client_id in the body otherwise.</summary>
    private async Task<HttpResponseMessage> SendAsync(string path, List<KeyValuePair<string, string>> form, string? clientId, string? secret)
    {
        if (clientId is not null && secret is null)
        {
            form.Add(P("client_id", clientId));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(form),
        };
        if (clientId is not null && secret is not null)
        {
            request.Headers.Authorization = Basic(clientId, secret);
        }

        using var client = CreateClient();
        return await client.SendAsync(request);
    }
}

/// <summary>Users for the lifecycle tests.</summary>
internal sealed class TestUserStore(params User[] users) : IUserStore
{
    private readonly Dictionary<string, User> _users = users.ToDictionary(u => u.SubjectId, StringComparer.Ordinal);

    public void Replace(User user) => _users[user.SubjectId] = user;

    ValueTask<User?> IUserStore.FindBySubjectIdAsync(string subjectId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_users.GetValueOrDefault(subjectId));

    ValueTask<User?> IUserStore.FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_users.Values.FirstOrDefault(u => string.Equals(u.Username, username.Trim(), StringComparison.OrdinalIgnoreCase)));
}

/// <summary>Records ID-token requests and answers a recognisable placeholder.</summary>
internal sealed class TestIdTokenService : IIdTokenService
{
    public List<IdTokenRequest> Requests { get; } = [];

    ValueTask<string> IIdTokenService.CreateAsync(IdTokenRequest request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }

        return ValueTask.FromResult($"id-token.{request.User.SubjectId}.{request.Nonce}");
    }
}

internal static class HttpResponseExtensions
{
    public static string? CacheControl(this HttpResponseMessage response) => response.Headers.CacheControl?.ToString();

    public static AuthenticationHeaderValue? Challenge(this HttpResponseMessage response) => response.Headers.WwwAuthenticate.FirstOrDefault();
}
