using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Endpoints;

/// <summary>Every RFC 6749 §5.2 error the token endpoint produces, with its status code and headers.</summary>
public sealed class TokenEndpointErrorTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string ClientCredentials = "grant_type=client_credentials";

    public static TheoryData<string, string?, string?, string> InvalidClientCases => new()
    {
        { "unknown client, basic", "nobody", TestClientSecret, ClientCredentials },
        { "wrong secret, basic", TestClientId, "wrong-secret", ClientCredentials },
        { "another client's secret, basic", TestClientId, DemoClientSecret, ClientCredentials },
        { "client id in another case, basic", "TEST-CLIENT", TestClientSecret, ClientCredentials },
        { "empty secret, basic", TestClientId, string.Empty, ClientCredentials },
        { "oversize secret, basic", TestClientId, new string('s', 2000), ClientCredentials },
        { "unknown client, post", null, null, $"{ClientCredentials}&client_id=nobody&client_secret={TestClientSecret}" },
        { "wrong secret, post", null, null, $"{ClientCredentials}&client_id={TestClientId}&client_secret=wrong-secret" },
        { "empty secret, post (empty means omitted)", null, null, $"{ClientCredentials}&client_id={TestClientId}&client_secret=" },
        { "no client authentication", null, null, ClientCredentials },
        { "client_id alone, as a public client", null, null, $"{ClientCredentials}&client_id={TestClientId}" },
    };

    [Theory]
    [MemberData(nameof(InvalidClientCases))]
    public async Task Token_ClientNotAuthenticated_Returns401InvalidClient(string @case, string? basicId, string? basicSecret, string body)
    {
        using var response = await factory.CreateClient().SendAsync(Post(body, basicId, basicSecret));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", @case);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=", challenge.Parameter, StringComparison.Ordinal);
    }

    public static TheoryData<string> MalformedBasicHeaders => new()
    {
        "Basic !!!not-base64!!!",
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon-here")),
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(":secret-without-id")),
        "Basic " + Convert.ToBase64String([0x74, 0x65, 0x3A, 0xFF, 0xFE]),
        "Basic",
        "Bearer eyJhbGciOiJub25lIn0.e30.",
        "Digest username=\"test-client\"",
    };

    [Theory]
    [MemberData(nameof(MalformedBasicHeaders))]
    public async Task Token_MalformedAuthorizationHeader_Returns401InvalidClient(string authorization)
    {
        using var request = Post(ClientCredentials);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));

        using var response = await factory.CreateClient().SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", authorization);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Token_UnknownClientAndWrongSecret_AreIndistinguishable()
    {
        var client = factory.CreateClient();

        using var unknown = await client.SendAsync(Post(ClientCredentials, "nobody", "some-secret"));
        using var wrong = await client.SendAsync(Post(ClientCredentials, TestClientId, "some-secret"));

        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Equal(unknown.Headers.WwwAuthenticate.ToString(), wrong.Headers.WwwAuthenticate.ToString());
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await wrong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_InvalidClientWithUnsupportedGrant_ReportsInvalidClientFirst()
    {
        using var response = await factory.CreateClient().SendAsync(Post("grant_type=password&username=u&password=p", TestClientId, "wrong"));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "authentication precedes grant validation");
    }

    public static TheoryData<string, string, string?, string, bool> InvalidRequestCases => new()
    {
        // case, method, content type, body, send valid Basic credentials
        { "GET", "GET", null, string.Empty, true },
        { "GET with a query", "GET", null, string.Empty, true },
        { "PUT", "PUT", "application/x-www-form-urlencoded", ClientCredentials, true },
        { "JSON body", "POST", "application/json", """{"grant_type":"client_credentials"}""", true },
        { "text/plain", "POST", "text/plain", ClientCredentials, true },
        { "multipart", "POST", "multipart/form-data; boundary=x", $"--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n", true },
        { "form with a non-UTF-8 charset", "POST", "application/x-www-form-urlencoded; charset=iso-8859-1", ClientCredentials, true },
        { "no content type", "POST", null, ClientCredentials, true },
        { "missing grant_type", "POST", "application/x-www-form-urlencoded", "scope=orders.read", true },
        { "empty grant_type (empty means omitted)", "POST", "application/x-www-form-urlencoded", "grant_type=", true },
        { "duplicate grant_type", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=client_credentials", true },
        { "duplicate scope", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=orders.read&scope=orders.write", true },
        { "duplicate, one of them empty", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=&scope=orders.read", true },
        { "duplicate client_id, post", "POST", "application/x-www-form-urlencoded", $"{ClientCredentials}&client_id={TestClientId}&client_id=demo-client&client_secret={TestClientSecret}", false },
        { "basic and post at once", "POST", "application/x-www-form-urlencoded", $"{ClientCredentials}&client_id={TestClientId}&client_secret={TestClientSecret}", true },
        { "basic and a different body client_id", "POST", "application/x-www-form-urlencoded", $"{ClientCredentials}&client_id=demo-client", true },
        { "client_secret without client_id", "POST", "application/x-www-form-urlencoded", $"{ClientCredentials}&client_secret={TestClientSecret}", false },
    };

    [Theory]
    [MemberData(nameof(InvalidRequestCases))]
    public async Task Token_MalformedRequest_Returns400InvalidRequest(string @case, string method, string? contentType, string body, bool basic)
    {
        var path = @case == "GET with a query" ? $"{TokenPath}?{ClientCredentials}" : TokenPath;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        if (basic)
        {
            request.Headers.Authorization = Basic(TestClientId, TestClientSecret);
        }

        using var response = await factory.CreateClient().SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", @case);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Token_AuthorizationHeaderTwice_Returns400InvalidRequest()
    {
        using var request = Post(ClientCredentials);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", Basic(TestClientId, TestClientSecret).ToString()));
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", Basic(TestClientId, TestClientSecret).ToString()));

        using var response = await factory.CreateClient().SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "two Authorization headers");
    }

    [Fact]
    public async Task Token_BodyOverTheLimit_Returns400InvalidRequest()
    {
        var body = ClientCredentials + "&padding=" + new string('a', 40 * 1024);

        using var response = await factory.CreateClient().SendAsync(Post(body, TestClientId, TestClientSecret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "body too large");
    }

    [Fact]
    public async Task Token_TooManyParameters_Returns400InvalidRequest()
    {
        var body = ClientCredentials + string.Concat(Enumerable.Range(0, 40).Select(i => $"&p{i}=v"));

        using var response = await factory.CreateClient().SendAsync(Post(body, TestClientId, TestClientSecret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "too many parameters");
    }

    [Fact]
    public async Task Token_BodyNotUtf8_Returns400InvalidRequest()
    {
        using var request = Post(ClientCredentials, TestClientId, TestClientSecret);
        request.Content = new ByteArrayContent([.. Encoding.ASCII.GetBytes("grant_type=client_credentials&scope="), 0xFF, 0xFE]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await factory.CreateClient().SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "invalid UTF-8");
    }

    [Theory]
    [InlineData("demo-client-b", DemoClientBSecret, "inventory.read")]
    [InlineData("demo-client-b", DemoClientBSecret, "orders.read orders.write")]
    [InlineData(TestClientId, TestClientSecret, "unknown.scope")]
    [InlineData(TestClientId, TestClientSecret, "ORDERS.READ")]
    [InlineData(TestClientId, TestClientSecret, "orders.read inventory.read")]
    [InlineData(TestClientId, TestClientSecret, "orders.read  orders.write")]
    [InlineData(TestClientId, TestClientSecret, " orders.read")]
    [InlineData(TestClientId, TestClientSecret, "orders.read\"")]
    [InlineData(TestClientId, TestClientSecret, "orders.read\torders.write")]
    [InlineData(TestClientId, TestClientSecret, "openid")]
    public async Task Token_ScopeNotAllowedOrMalformed_Returns400InvalidScope(string clientId, string secret, string scope)
    {
        using var response = await factory.CreateClient().SendAsync(Post([P("grant_type", "client_credentials"), P("scope", scope)], clientId, secret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope", scope);
    }

    [Theory]
    [InlineData("password&username=alice&password=secret")]
    [InlineData("implicit")]
    [InlineData("token")]
    [InlineData("urn:ietf:params:oauth:grant-type:jwt-bearer")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData("CLIENT_CREDENTIALS")]
    [InlineData("client_credentials%20")]
    [InlineData("client_credentials%00")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    public async Task Token_UnsupportedGrantType_Returns400UnsupportedGrantType(string grantTypeAndParameters)
    {
        using var response = await factory.CreateClient().SendAsync(Post("grant_type=" + grantTypeAndParameters, TestClientId, TestClientSecret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_grant_type", grantTypeAndParameters);
    }

    [Theory]
    [InlineData("authorization_code&code=abc&redirect_uri=https%3A%2F%2Fclient.example%2Fcb")]
    [InlineData("refresh_token&refresh_token=abc")]
    public async Task Token_GrantNotAllowedForClient_Returns400UnauthorizedClient(string grantTypeAndParameters)
    {
        using var response = await factory.CreateClient().SendAsync(Post("grant_type=" + grantTypeAndParameters, TestClientId, TestClientSecret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "unauthorized_client", grantTypeAndParameters);
    }

    [Theory]
    [InlineData(TestClientId, "wrong-secret", "grant_type=client_credentials", "invalid_client", null)]
    [InlineData(TestClientId, TestClientSecret, "grant_type=client_credentials&scope=inventory.write", "invalid_scope", TestClientId)]
    [InlineData(TestClientId, TestClientSecret, "grant_type=password", "unsupported_grant_type", TestClientId)]
    public async Task Token_Error_IsCountedByErrorCodeWithAuthenticatedClientOnly(string clientId, string secret, string body, string error, string? countedClientId)
    {
        var meterFactory = factory.Services.GetRequiredService<IMeterFactory>();
        var measurements = new List<Dictionary<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "idp.token.errors")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add(tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
            }
        });
        listener.Start();
        using var response = await factory.CreateClient().SendAsync(Post(body, clientId, secret));

        await AssertErrorAsync(response, response.StatusCode, error, body);
        lock (measurements)
        {
            var measurement = Assert.Single(measurements, m => Equals(m["oauth.error"], error));
            Assert.Equal(countedClientId, measurement["oauth.client_id"]);
            Assert.DoesNotContain(measurements.SelectMany(m => m.Values), v => v is string s && s.Contains("password", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Token_Logs_NeverContainSecretsOrTokens()
    {
        var client = factory.CreateClient();
        const string WrongSecret = "wrong-secret-that-must-not-be-logged-4711";

        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        using var basicFailure = await client.SendAsync(Post(ClientCredentials, TestClientId, WrongSecret));
        using var postFailure = await client.SendAsync(Post($"{ClientCredentials}&client_id={TestClientId}&client_secret={WrongSecret}"));

        var logs = string.Join(Environment.NewLine, factory.Logs.Lines);
        Assert.Contains("Issued RS256 access token", logs, StringComparison.Ordinal);
        Assert.Contains("Client authentication failed", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClientSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Basic(TestClientId, WrongSecret).Parameter!, logs, StringComparison.Ordinal);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string @case)
    {
        var json = await ReadJsonAsync(response);
        Assert.True(status == response.StatusCode, $"{@case}: expected {status}, got {response.StatusCode} {json}");
        Assert.True(error == json.GetProperty("error").GetString(), $"{@case}: expected {error}, got {json}");
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error_description").GetString()));
        Assert.Equal(["error", "error_description"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, $"{@case}: Cache-Control no-store missing");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        Assert.DoesNotContain("access_token", json.ToString(), StringComparison.Ordinal);
    }
}
