using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;

namespace Reference.Security.Tests.Infrastructure;

/// <summary>
/// The whole system (AppHost/Program.cs) started once for the suite, plus a recording stub in the test process. The
/// gateway gets extra routes (<c>/sec/...</c> and <c>/tenants/{tenant}/sec/...</c>) through environment configuration,
/// with the same policies as the real ones but forwarding to <see cref="Stub"/>, so every case can check that the
/// downstream saw nothing. The real routes and services stay as Program.cs declares them.
/// </summary>
public sealed class SecuritySystemFixture : IAsyncLifetime
{
    public const string StubCluster = "security-stub";

    private ReferenceTestApp? _app;
    private IssuerKey? _issuerKey;
    private IssuerEcKey? _issuerEcKey;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("The app is not started.");

    public RecordingStub Stub { get; } = new();

    /// <summary>The IdentityProvider's issuer: its endpoint URL without the trailing slash.</summary>
    public string IdentityIssuer => App.GetEndpoint("identity").ToString().TrimEnd('/');

    /// <summary>
    /// The gateway's public endpoint: the AppHost's local load balancer in front of the replicas (it replaces
    /// client-supplied X-Forwarded-* headers, as a production ingress does). Browser flows must use it: the BFF's
    /// registered redirect URIs name it.
    /// </summary>
    public Uri Gateway => App.GetEndpoint("gateway");

    /// <summary>
    /// One gateway replica, directly: for raw and malformed requests, which would otherwise test the local load
    /// balancer's (YARP's) own parsing (it answers 502 to non-ASCII header values and joins repeated headers).
    /// </summary>
    public Uri GatewayReplica => App.GetReplicaEndpoints("gateway")[0];

    public Uri Identity => App.GetEndpoint("identity");

    public async Task InitializeAsync()
    {
        await Stub.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var options = new ReferenceAppTestingOptions();
        var application = await EntryPointInterception.RunEntryPointAsync(options.ToApplicationOptions());
        foreach (var (name, value) in GatewayRoutes(Stub.Url))
        {
            ((ProcessResource)application.GetResource("gateway")).EnvironmentCallbacks.Add(new(name, () => value));
        }

        // The suite signs in many times from 127.0.0.1: lift the IdP's login limits (tested in IdentityProvider.Tests).
        foreach (var (name, value) in IdentityLimits())
        {
            ((ProcessResource)application.GetResource("identity")).EnvironmentCallbacks.Add(new(name, () => value));
        }

        _app = await ReferenceAppTesting.StartAsync(application, options.StartupTimeout, cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Stub.DisposeAsync();
    }

    private static IEnumerable<(string Name, string Value)> IdentityLimits()
    {
        const string Limits = "IdentityProvider__RateLimiting__";
        yield return (Limits + "LoginPerIp__PermitLimit", "10000");
        yield return (Limits + "LoginPerIp__Burst", "10000");
        yield return (Limits + "FailedLoginsPerIp__MaxFailures", "10000");
        yield return (Limits + "LoginPerUsername__PermitLimit", "10000");
        yield return (Limits + "LoginPerUsername__Burst", "10000");
        yield return (Limits + "FailedLoginsPerUsername__MaxFailures", "10000");
    }

    private static IEnumerable<(string Name, string Value)> GatewayRoutes(string stubUrl)
    {
        const string Cluster = "ReverseProxy__Clusters__" + StubCluster;
        yield return ($"{Cluster}__Destinations__stub__Address", stubUrl + "/");
        yield return ($"{Cluster}__Metadata__Propagation.Audience", "orders-api");
        foreach (var (id, path, policy) in new[]
        {
            ("sec-jwt", "/sec/jwt/{**rest}", "jwt"),
            ("sec-opaque", "/sec/opaque/{**rest}", "introspection"),
            ("sec-session", "/sec/session/{**rest}", "session"),
            ("sec-tenant", "/tenants/{tenant}/sec/{**rest}", "jwt"),
        })
        {
            var route = $"ReverseProxy__Routes__{id}";
            yield return ($"{route}__ClusterId", StubCluster);
            yield return ($"{route}__Match__Path", path);
            yield return ($"{route}__Metadata__Auth.Policy", policy);
            yield return ($"{route}__Metadata__Auth.Scopes", "orders.read");
            if (id == "sec-tenant")
            {
                yield return ($"{route}__Metadata__Auth.Tenants", "tenant-a tenant-b");
            }
        }
    }

    /// <summary>Gets an access token from the real IdentityProvider with the client_credentials grant.</summary>
    public async Task<string> GetTokenAsync(string clientId, string? scope)
    {
        using var response = await RequestTokenAsync(clientId, scope);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    public async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string? scope)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var identity = App.CreateHttpClient("identity");
        return await OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(clientId), form);
    }

    public AuthenticationHeaderValue ClientAuthentication(string clientId) =>
        OAuth.Basic(clientId, App.GetParameterValue(clientId == "demo-client" ? "demo-client-secret" : $"{clientId}-secret"));

    /// <summary>The IdP's RS256 signing key now in use, read from the data folder it created at first run.</summary>
    public IssuerKey IssuerRsaKey => _issuerKey ??= IssuerKey.LoadCurrentRs256();

    /// <summary>The IdP's ES256 signing key now in use.</summary>
    public IssuerEcKey IssuerEcKey => _issuerEcKey ??= IssuerEcKey.LoadCurrent();

    /// <summary>The claims of a good access token (tenant-a, orders.read) as raw JSON members, to be edited per case.</summary>
    public Dictionary<string, object> GoodClaims()
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["iss"] = IdentityIssuer,
            ["sub"] = "demo-client",
            ["client_id"] = "demo-client",
            ["aud"] = new[] { "reference-api", "orders-api" },
            ["scope"] = "orders.read",
            ["tenant_id"] = "tenant-a",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = TokenForge.Unix(now),
            ["nbf"] = TokenForge.Unix(now),
            ["exp"] = TokenForge.Unix(now.AddMinutes(5)),
        };
    }

    /// <summary>Signs raw payload JSON with the IdP's real RS256 key and a raw header JSON (kid filled in when <c>{kid}</c> appears).</summary>
    public string SignWithIssuer(string payloadJson, string? headerJson = null)
    {
        var key = IssuerRsaKey;
        var header = (headerJson ?? """{"alg":"RS256","typ":"at+jwt","kid":"{kid}"}""").Replace("{kid}", key.KeyId, StringComparison.Ordinal);
        return TokenForge.SignRs256(TokenForge.SigningInput(header, payloadJson), key.Rsa);
    }

    public string SignWithIssuer(IDictionary<string, object> claims, string? headerJson = null) =>
        SignWithIssuer(JsonSerializer.Serialize(claims), headerJson);

    /// <summary>Sends <paramref name="request"/> to the gateway (<paramref name="direct"/>: to one replica) and returns the response.</summary>
    public async Task<HttpResponseMessage> SendToGatewayAsync(HttpRequestMessage request, bool direct = false)
    {
        using var gateway = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            // Non-ASCII header bytes are sent as UTF-8 instead of being refused by the client, so the gateway sees them.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            BaseAddress = direct ? GatewayReplica : Gateway,
        };
        return await gateway.SendAsync(request);
    }

    /// <summary>A unique path under a stub route, marking one case's requests in the stub's log.</summary>
    public static string Marker(string caseId) => $"{caseId}-{Guid.NewGuid():N}";

    /// <summary>Asserts the gateway's JSON error body and, on 401/403, the Bearer challenge's error code.</summary>
    public static async Task AssertGatewayErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string? description = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        if (description is not null)
        {
            Assert.Equal(description, json.RootElement.GetProperty("error_description").GetString());
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains($"error=\"{error}\"", challenge.Parameter, StringComparison.Ordinal);
        }

        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    /// <summary>Asserts an RFC 6749 §5.2 error body from the IdP.</summary>
    public static async Task AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.False(json.RootElement.TryGetProperty("access_token", out _), "an error response carried an access token");
    }

    public static string Base64UrlJson(string segment) => Encoding.UTF8.GetString(TokenForge.FromB64(segment));
}

/// <summary>An RSA private key of the IdP with its <c>kid</c> (dev-only key files under IdentityProvider/.data/keys).</summary>
public sealed record IssuerKey(string KeyId, RSA Rsa)
{
    public static IssuerKey LoadCurrentRs256()
    {
        var json = LoadCurrentDocument("signing-key-rs256*.json");
        byte[] Part(string name) => TokenForge.FromB64(json.GetProperty(name).GetString()!);
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Part("n"),
            Exponent = Part("e"),
            D = Part("d"),
            P = Part("p"),
            Q = Part("q"),
            DP = Part("dp"),
            DQ = Part("dq"),
            InverseQ = Part("qi"),
        });
        return new IssuerKey(json.GetProperty("kid").GetString()!, rsa);
    }

    /// <summary>The highest generation already activated (<c>{name}-{generation:D6}.json</c>; no generation is 0).</summary>
    internal static JsonElement LoadCurrentDocument(string pattern)
    {
        var directory = Path.Combine(new Projects.IdentityProvider().ProjectDirectory, ".data", "keys");
        var now = DateTimeOffset.UtcNow;
        return Directory.EnumerateFiles(directory, pattern)
            .Select(path => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone())
            .Where(k => !k.TryGetProperty("activates", out var activates) || activates.GetDateTimeOffset() <= now)
            .OrderByDescending(k => k.TryGetProperty("generation", out var generation) ? generation.GetInt32() : 0)
            .First();
    }

    /// <summary>The public key as the JWKS publishes it (n, e), for the alg-confusion case.</summary>
    public string PublicJwkJson()
    {
        var parameters = Rsa.ExportParameters(false);
        return $$"""{"kty":"RSA","kid":"{{KeyId}}","n":"{{TokenForge.B64(parameters.Modulus!)}}","e":"{{TokenForge.B64(parameters.Exponent!)}}"}""";
    }
}

/// <summary>An ECDSA P-256 private key of the IdP with its <c>kid</c>.</summary>
public sealed record IssuerEcKey(string KeyId, ECDsa Ecdsa)
{
    public static IssuerEcKey LoadCurrent()
    {
        var json = IssuerKey.LoadCurrentDocument("signing-key-es256*.json");
        byte[] Part(string name) => TokenForge.FromB64(json.GetProperty(name).GetString()!);
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Part("d"),
            Q = new ECPoint { X = Part("x"), Y = Part("y") },
        });
        return new IssuerEcKey(json.GetProperty("kid").GetString()!, ecdsa);
    }
}

[CollectionDefinition(Name)]
public sealed class SecuritySystemGroup : ICollectionFixture<SecuritySystemFixture>
{
    public const string Name = "Security system";
}
