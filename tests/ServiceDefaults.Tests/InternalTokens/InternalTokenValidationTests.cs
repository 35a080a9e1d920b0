using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

public sealed class InternalTokenValidationTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenTestSigner _signer = new("gateway-key-1");
    private readonly InternalTokenTestSigner _stranger = new("stranger-key");
    private JwksStubServer _jwks = null!;
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(_signer));
        _host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(_jwks), _time);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _jwks.DisposeAsync();
    }

    public void Dispose()
    {
        _signer.Dispose();
        _stranger.Dispose();
    }

    private Dictionary<string, object?> Claims(string scope = "orders.read orders.write") =>
        InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, scope);

    [Fact]
    public async Task InternalToken_Valid_Returns200()
    {
        var response = await _host.Client.GetWithTokenAsync("/orders", _signer.CreateToken(Claims()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WhoAmI_ValidToken_ReturnsVerifiedClaims()
    {
        var claims = Claims("orders.read inventory.read");
        var response = await _host.Client.GetWithTokenAsync("/whoami", _signer.CreateToken(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("demo-client", root.GetProperty("subject").GetString());
        Assert.Equal("demo-client", root.GetProperty("clientId").GetString());
        Assert.Equal("tenant-a", root.GetProperty("tenantId").GetString());
        Assert.Equal(["orders.read", "inventory.read"], root.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("urn:reference:gateway", root.GetProperty("issuer").GetString());
        Assert.Equal(ServiceHost.Audience, root.GetProperty("audience").GetString());
        Assert.Equal("http://127.0.0.1:5001", root.GetProperty("originalIssuer").GetString());
        Assert.Equal("internal+jwt", root.GetProperty("tokenType").GetString());
        Assert.Equal(claims["request_id"], root.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task InternalToken_Missing_Returns401WithBareChallenge()
    {
        var response = await _host.Client.GetWithTokenAsync("/orders", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal("missing_token", await ErrorCodeAsync(response));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task InternalToken_MissingScope_Returns403InsufficientScope()
    {
        var response = await _host.Client.GetWithTokenAsync("/orders", _signer.CreateToken(Claims("orders.write")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"orders.read\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal("insufficient_scope", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task InternalToken_NonBearerScheme_Returns401MissingToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("a:b")));
        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("missing_token", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task InternalToken_TwoAuthorizationHeaders_Returns400InvalidRequest()
    {
        var token = _signer.CreateToken(Claims());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + token, "Bearer " + token]);
        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task InternalToken_FallbackPolicy_UnmappedPathAnswers401()
    {
        var response = await _host.Client.GetWithTokenAsync("/anything-else", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("typ at+jwt", "type")]
    [InlineData("typ JWT", "type")]
    [InlineData("typ missing", "type")]
    [InlineData("typ case variant", "type")]
    [InlineData("iss wrong", "issuer")]
    [InlineData("iss trailing slash", "issuer")]
    [InlineData("iss case variant", "issuer")]
    [InlineData("aud wrong", "audience")]
    [InlineData("aud missing", "audience")]
    [InlineData("exp past", "expired")]
    [InlineData("exp missing", "expiration")]
    [InlineData("exp string", "NumericDate")]
    [InlineData("nbf future", "not yet valid")]
    [InlineData("iat future", "future")]
    [InlineData("sub missing", "subject")]
    [InlineData("alg none unsigned", "three segments")]
    [InlineData("alg none with signature", "algorithm")]
    [InlineData("alg NONE", "algorithm")]
    [InlineData("alg HS256 with public key", "algorithm")]
    [InlineData("alg RS256", "algorithm")]
    [InlineData("alg ES384", "algorithm")]
    [InlineData("alg missing", "algorithm")]
    [InlineData("kid unknown", "signing key")]
    [InlineData("kid missing", "key id")]
    [InlineData("kid oversize", "key id")]
    [InlineData("kid traversal control chars", "key id")]
    [InlineData("signed by another key", "signature")]
    [InlineData("payload tampered", "signature")]
    [InlineData("signature zero", "signature")]
    [InlineData("signature DER", "signature")]
    [InlineData("crit header", "crit")]
    [InlineData("b64 false", "b64")]
    [InlineData("jku header", "jku")]
    [InlineData("jwk header", "jwk")]
    [InlineData("x5c header", "x5c")]
    [InlineData("cty JWT nested", "cty")]
    [InlineData("duplicate alg", "duplicate")]
    [InlineData("duplicate payload member", "duplicate")]
    [InlineData("header not json", "JSON")]
    [InlineData("header array", "JSON object")]
    [InlineData("two segments", "three segments")]
    [InlineData("four segments", "three segments")]
    [InlineData("JWE five segments", "three segments")]
    [InlineData("not base64url", "base64url")]
    [InlineData("oversize token", "too long")]
    [InlineData("space inside", "base64url")]
    [InlineData("padding", "base64url")]
    [InlineData("trailing percent-encoded NUL", "base64url")]
    public async Task InternalToken_Rejected_Returns401InvalidToken(string variant, string descriptionContains)
    {
        var token = BuildToken(variant);

        var response = await _host.Client.GetWithTokenAsync("/orders", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"", challenge, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_token", body.RootElement.GetProperty("error").GetString());
        Assert.Contains(descriptionContains, body.RootElement.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private string BuildToken(string variant)
    {
        var claims = Claims();
        var header = _signer.DefaultHeader();
        var now = _time.GetUtcNow();
        switch (variant)
        {
            case "typ at+jwt": header["typ"] = "at+jwt"; break;
            case "typ JWT": header["typ"] = "JWT"; break;
            case "typ missing": header["typ"] = null; break;
            case "typ case variant": header["typ"] = "Internal+JWT"; break;
            case "iss wrong": claims["iss"] = "http://127.0.0.1:5001"; break;
            case "iss trailing slash": claims["iss"] = "urn:reference:gateway/"; break;
            case "iss case variant": claims["iss"] = "URN:reference:gateway"; break;
            case "aud wrong": claims["aud"] = "inventory-api"; break;
            case "aud missing": claims["aud"] = null; break;
            case "exp past": claims["exp"] = now.AddSeconds(-31).ToUnixTimeSeconds(); break;
            case "exp missing": claims["exp"] = null; break;
            case "exp string": claims["exp"] = now.AddMinutes(5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture); break;
            case "nbf future": claims["nbf"] = now.AddSeconds(31).ToUnixTimeSeconds(); break;
            case "iat future": claims["iat"] = now.AddMinutes(2).ToUnixTimeSeconds(); break;
            case "sub missing": claims["sub"] = null; break;
            case "alg none unsigned":
                header["alg"] = "none";
                return InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims) + ".";
            case "alg none with signature": header["alg"] = "none"; break;
            case "alg NONE": header["alg"] = "NONE"; break;
            case "alg HS256 with public key":
            {
                // The classic confusion: HMAC keyed with the public key's bytes.
                header["alg"] = "HS256";
                var input = InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims);
                var publicKey = Encoding.UTF8.GetBytes(InternalTokenTestSigner.Jwks(_signer));
                return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes(input)));
            }

            case "alg RS256":
            {
                header["alg"] = "RS256";
                using var rsa = RSA.Create(2048);
                var input = InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims);
                return input + "." + Base64UrlEncoder.Encode(rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            }

            case "alg ES384": header["alg"] = "ES384"; break;
            case "alg missing": header["alg"] = null; break;
            case "kid unknown": return _stranger.CreateToken(claims);
            case "kid missing": header["kid"] = null; break;
            case "kid oversize": header["kid"] = new string('k', 200); break;
            case "kid traversal control chars": header["kid"] = "../../etc/passwd\n"; break;
            case "signed by another key": return _stranger.CreateToken(claims, _signer.DefaultHeader());
            case "payload tampered":
            {
                var parts = _signer.CreateToken(claims).Split('.');
                claims["tenant_id"] = "tenant-b";
                return parts[0] + "." + InternalTokenTestSigner.Encode(claims) + "." + parts[2];
            }

            case "signature zero":
            {
                var parts = _signer.CreateToken(claims).Split('.');
                return parts[0] + "." + parts[1] + "." + Base64UrlEncoder.Encode(new byte[64]);
            }

            case "signature DER":
            {
                var input = InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims);
                var der = _signer.Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                return input + "." + Base64UrlEncoder.Encode(der);
            }

            case "crit header": header["crit"] = new[] { "exp" }; break;
            case "b64 false": header["b64"] = false; break;
            case "jku header": header["jku"] = "http://attacker.example/jwks"; break;
            case "jwk header": header["jwk"] = _stranger.PublicJwk(); break;
            case "x5c header": header["x5c"] = new[] { "MIIB" }; break;
            case "cty JWT nested": header["cty"] = "JWT"; break;
            case "duplicate alg":
                return SignRawHeader($$"""{"alg":"ES256","typ":"internal+jwt","kid":"{{_signer.KeyId}}","alg":"ES256"}""", claims);
            case "duplicate payload member":
            {
                var payload = JsonSerializer.Serialize(claims)[..^1] + ",\"tenant_id\":\"tenant-b\"}";
                var input = InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.EncodeRaw(payload);
                return input + "." + _signer.SignEs256(input);
            }

            case "header not json": return SignRawHeader("not json", claims);
            case "header array": return SignRawHeader("""["ES256"]""", claims);
            case "two segments": return InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims);
            case "four segments": return _signer.CreateToken(claims) + ".AAAA";
            case "JWE five segments": return "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA";
            case "not base64url": return "eyJ+bGc.eyJz.c2ln";
            case "space inside":
            {
                var valid = _signer.CreateToken(claims);
                return valid[..10] + " " + valid[10..];
            }

            case "padding": return _signer.CreateToken(claims) + "==";
            case "oversize token":
                claims["padding"] = new string('p', 9000);
                break;
            case "trailing percent-encoded NUL": return _signer.CreateToken(claims) + "%00";
            default: throw new ArgumentOutOfRangeException(nameof(variant), variant, null);
        }

        return _signer.CreateToken(claims, header);
    }

    private string SignRawHeader(string headerJson, Dictionary<string, object?> claims)
    {
        var input = InternalTokenTestSigner.EncodeRaw(headerJson) + "." + InternalTokenTestSigner.Encode(claims);
        return input + "." + _signer.SignEs256(input);
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetString();
    }
}
