using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Authentication.Sessions;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Fuzz;

/// <summary>
/// Randomised inputs at the gateway's edge (deterministic seeds, thousands of cases each, through the real gateway in
/// a TestServer against a fake IdP and recording stubs): mutated and grammar-generated tokens, Authorization header
/// forms, request/correlation ids, tenant names in every source, session cookie values. Properties: never a 5xx,
/// nothing accepted that the rules reject, and nothing forwarded for a refused request.
/// </summary>
public sealed class EdgeFuzzTests(GatewayEnvironment env) : IClassFixture<GatewayEnvironment>
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Printable ASCII plus space and tab: what an HTTP client can put into a header value.
    private static readonly string HeaderChars = Base64UrlAlphabet + ".=+/ \t!\"#$%&'()*,:;<>?@[\\]^`{|}~";

    [Fact]
    public async Task MutatedValidToken_NeverAcceptedUnlessUnchanged_Never5xx()
    {
        var random = new Random(20261130);
        var original = env.Idp.CreateToken(scope: "orders.read");
        var forwardedBefore = env.Orders.Requests.Count;
        var accepted = 0;
        for (var i = 0; i < 3000; i++)
        {
            var mutated = Mutate(original, random);
            using var response = await SendAsync("/api/orders/fuzz", mutated);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"#{i}: {status} for {mutated}");
            if (mutated == original)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
            }
            else
            {
                Assert.True(status is 400 or 401, $"#{i}: mutation accepted ({status}): {mutated}");
            }
        }

        Assert.Equal(forwardedBefore + accepted, env.Orders.Requests.Count);
    }

    [Fact]
    public async Task GrammarGeneratedTokens_AcceptedExactlyWhenTheRulesAllow_Never5xx()
    {
        var random = new Random(8725);
        using var attacker = RSA.Create(2048);
        var expectedAccepted = 0;
        var forwardedBefore = env.Orders.Requests.Count;
        for (var i = 0; i < 1500; i++)
        {
            var (token, valid) = Generate(random, attacker);
            using var response = await SendAsync("/api/orders/fuzz", token);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"#{i}: {status} for {token}");
            Assert.True(valid == (status == 200), $"#{i}: expected {(valid ? "accepted" : "refused")}, got {status} for {token}");
            expectedAccepted += valid ? 1 : 0;
        }

        Assert.InRange(expectedAccepted, 1, 1499);
        Assert.Equal(forwardedBefore + expectedAccepted, env.Orders.Requests.Count);
    }

    [Fact]
    public async Task RandomAuthorizationHeaders_NeverAcceptedNever5xx()
    {
        var random = new Random(6750);
        var token = env.Idp.CreateToken(scope: "orders.read");
        // No tab after the scheme: HttpClient re-serialises an Authorization header it can parse, so the gateway would not see it.
        string[] schemes = ["Bearer", "bearer", "BEARER", "Basic", "Bearer:", "DPoP", "", "Token", "Bearer,"];
        var forwardedBefore = env.Orders.Requests.Count;
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var scheme = schemes[random.Next(schemes.Length)];
            var separator = new string(' ', random.Next(0, 3));
            var value = random.Next(4) switch
            {
                0 => token,
                1 => RandomString(random, HeaderChars, random.Next(0, 200)),
                2 => token + RandomString(random, HeaderChars, random.Next(1, 4)),
                _ => RandomString(random, Base64UrlAlphabet + ".", random.Next(0, 400)),
            };
            var header = scheme + separator + value;
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/fuzz");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await env.Client.SendAsync(request);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"#{i}: {status} for '{header}'");
            // HTTP drops whitespace around a header value (RFC 9110 §5.5), so a token with trailing spaces/tabs is the token.
            var shouldAccept = value.TrimEnd(' ', '\t') == token && separator.Length > 0 && scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
            Assert.True(shouldAccept == (status == 200), $"#{i}: '{header}' answered {status}");
            accepted += status == 200 ? 1 : 0;
        }

        Assert.Equal(forwardedBefore + accepted, env.Orders.Requests.Count);
    }

    [Fact]
    public void BearerCredential_RandomHeaderValuesAndQueries_OnlyOneWellFormedBearerIsPresent()
    {
        var random = new Random(62502);
        for (var i = 0; i < 20000; i++)
        {
            var context = new DefaultHttpContext();
            var values = Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomHeaderValue(random)).ToArray();
            if (values.Length > 0)
            {
                context.Request.Headers.Authorization = values;
            }

            var tokenInQuery = random.Next(8) == 0;
            if (tokenInQuery)
            {
                context.Request.QueryString = new QueryString("?access_token=" + Uri.EscapeDataString(RandomString(random, HeaderChars, 5)));
            }

            var credential = BearerCredential.Read(context.Request);

            if (credential.Status == BearerCredentialStatus.Present)
            {
                Assert.False(tokenInQuery, $"#{i}: token in the query accepted");
                var value = Assert.Single(values);
                Assert.StartsWith("Bearer ", value, StringComparison.OrdinalIgnoreCase);
                Assert.False(string.IsNullOrEmpty(credential.Token));
                Assert.EndsWith(credential.Token, value, StringComparison.Ordinal);
            }
            else if (tokenInQuery || values.Length > 1)
            {
                Assert.Equal(BearerCredentialStatus.InvalidRequest, credential.Status);
            }
        }
    }

    [Fact]
    public async Task RandomRequestAndCorrelationIds_EchoedOnlyWhenWellFormed_ForwardedOnlyWellFormed()
    {
        var random = new Random(9110);
        var token = env.Idp.CreateToken(scope: "orders.read");
        for (var i = 0; i < 1500; i++)
        {
            var requestId = RandomId(random);
            var correlationId = RandomId(random);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/ids-{i}");
            request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
            request.Headers.TryAddWithoutValidation("X-Correlation-Id", correlationId);
            if (i % 2 == 0)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            }

            using var response = await env.Client.SendAsync(request);

            Assert.True((int)response.StatusCode < 500, $"#{i}: {(int)response.StatusCode}");
            var echoed = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.Single() : null;
            if (i % 2 == 1)
            {
                Assert.NotNull(echoed);
                Assert.True(RequestId.IsWellFormed(echoed), $"#{i}: echoed '{echoed}'");
                Assert.True(echoed == requestId == RequestId.IsWellFormed(requestId), $"#{i}: '{requestId}' → '{echoed}'");
            }
            else
            {
                var forwarded = env.Orders.Requests.Last(r => r.Path == $"/orders/ids-{i}");
                var forwardedRequestId = Assert.Single(forwarded.Header("X-Request-Id"));
                var forwardedCorrelationId = Assert.Single(forwarded.Header("X-Correlation-Id"));
                Assert.True(RequestId.IsWellFormed(forwardedRequestId) && RequestId.IsWellFormed(forwardedCorrelationId), $"#{i}");
                Assert.Equal(RequestId.IsWellFormed(requestId), forwardedRequestId == requestId);
                Assert.Equal(RequestId.IsWellFormed(correlationId), forwardedCorrelationId == correlationId);
            }
        }
    }

    [Fact]
    public async Task RandomTenantNamesInEverySource_OnlyTheTokensOwnTenantIsForwarded()
    {
        var random = new Random(9700);
        var token = env.Idp.CreateToken(scope: "orders.read");
        string[] near = ["tenant-a", "tenant-b", "TENANT-A", "tenant-a ", " tenant-a", "tenant-a,tenant-b", "tenant-a.", "tenant-zz", "..", "tenant%2Da", "tenant-a\t"];
        for (var i = 0; i < 1500; i++)
        {
            var name = random.Next(3) == 0 ? RandomString(random, Base64UrlAlphabet + ".%,", random.Next(1, 20)) : near[random.Next(near.Length)];
            var source = random.Next(3);
            var path = source == 0 ? $"/tenants/{Uri.EscapeDataString(name.Trim())}/orders/t-{i}" : $"/api/orders/t-{i}";
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            if (source == 1)
            {
                request.Headers.TryAddWithoutValidation("X-Tenant-ID", name);
            }

            using var response = await env.Client.SendAsync(request);

            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"#{i}: {status} for '{name}' (source {source})");
            var forwarded = env.Orders.Requests.Any(r => r.Path.EndsWith($"/t-{i}", StringComparison.Ordinal));
            Assert.Equal(status == 200, forwarded);
            // Source 2 names no tenant (the token's claim applies); otherwise only the token's own tenant passes:
            // the header value trimmed, the path segment exactly.
            var ownTenant = source == 2 || name.Trim() == "tenant-a";
            Assert.True(ownTenant == (status == 200), $"#{i}: '{name}' (source {source}) answered {status}");
        }
    }

    [Fact]
    public void SessionCookie_RandomValues_WellFormedOnlyFor43Base64UrlCharacters()
    {
        var random = new Random(43);
        for (var i = 0; i < 50000; i++)
        {
            var length = random.Next(4) == 0 ? SessionCookie.IdLength : random.Next(0, 90);
            var value = RandomString(random, random.Next(2) == 0 ? Base64UrlAlphabet : HeaderChars + "é\0\r\n", length);

            var wellFormed = SessionCookie.IsWellFormed(value);

            Assert.Equal(value.Length == 43 && value.All(c => Base64UrlAlphabet.Contains(c, StringComparison.Ordinal)), wellFormed);
        }

        Assert.False(SessionCookie.IsWellFormed(null));
    }

    [Fact]
    public void PreValidator_RandomStrings_NeverThrowAndAcceptOnlyWithinTheRules()
    {
        var random = new Random(7515);
        var options = new JwtValidationOptions { Issuer = "https://idp.test", MetadataAddress = new Uri("https://idp.test/.well-known/openid-configuration") };
        new JwtValidationOptionsPostConfigure().PostConfigure(null, options);
        for (var i = 0; i < 20000; i++)
        {
            var token = random.Next(3) switch
            {
                0 => RandomString(random, Base64UrlAlphabet + ".", random.Next(0, 300)),
                1 => $"{B64(RandomJson(random, header: true))}.{B64(RandomJson(random, header: false))}.{RandomString(random, Base64UrlAlphabet, random.Next(0, 90))}",
                _ => RandomString(random, HeaderChars + "é\0", random.Next(0, 100)),
            };

            var result = JwtPreValidator.Check(token, options);

            if (result.Failure is null)
            {
                var header = result.Header!;
                Assert.Contains(header.Algorithm, options.AcceptedAlgorithms);
                Assert.InRange(header.KeyId.Length, 1, JwtPreValidator.MaxKeyIdLength);
                Assert.Contains(header.Type, new[] { "at+jwt", "application/at+jwt" }, StringComparer.OrdinalIgnoreCase);
                Assert.NotNull(result.Payload!.Issuer);
                var headerJson = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token[..token.IndexOf('.', StringComparison.Ordinal)])));
                foreach (var forbidden in new[] { "\"crit\"", "\"jku\"", "\"jwk\"", "\"x5u\"", "\"x5c\"", "\"b64\"", "\"enc\"", "\"zip\"" })
                {
                    Assert.DoesNotContain(forbidden, headerJson, StringComparison.Ordinal);
                }
            }
        }
    }

    private Task<HttpResponseMessage> SendAsync(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return env.Client.SendAsync(request);
    }

    /// <summary>One of: change, insert, delete a character; swap, duplicate or drop a segment; truncate; re-encode a segment's JSON with a change.</summary>
    private static string Mutate(string token, Random random)
    {
        var parts = token.Split('.');
        switch (random.Next(9))
        {
            case 0:
                {
                    var i = random.Next(token.Length);
                    return token[..i] + Base64UrlAlphabet[random.Next(Base64UrlAlphabet.Length)] + token[(i + 1)..];
                }

            case 1:
                {
                    var i = random.Next(token.Length + 1);
                    return token[..i] + HeaderChars[random.Next(HeaderChars.Length)] + token[i..];
                }

            case 2:
                {
                    var i = random.Next(token.Length);
                    return token.Remove(i, 1);
                }

            case 3:
                return string.Join('.', parts.OrderBy(_ => random.Next()));
            case 4:
                return token + "." + parts[random.Next(3)];
            case 5:
                return token[..random.Next(token.Length)];
            case 6:
                {
                    // Flip one bit in the decoded bytes of a segment and re-encode canonically.
                    var s = random.Next(3);
                    var bytes = Convert.FromBase64String(Pad(parts[s]));
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    parts[s] = B64(bytes);
                    return string.Join('.', parts);
                }

            case 7:
                {
                    // Change one claim value in the payload JSON and re-encode (signature no longer matches).
                    var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Convert.FromBase64String(Pad(parts[1])))!;
                    var key = payload.Keys.ElementAt(random.Next(payload.Count));
                    var edited = payload.ToDictionary(kv => kv.Key, kv => (object)kv.Value);
                    edited[key] = random.Next(2) == 0 ? "tenant-b" : 9999999999;
                    parts[1] = B64(JsonSerializer.Serialize(edited));
                    return string.Join('.', parts);
                }

            default:
                {
                    // Case change of one letter (base64url is case-sensitive).
                    var i = random.Next(token.Length);
                    var c = token[i];
                    var swapped = char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
                    return token[..i] + swapped + token[(i + 1)..];
                }
        }
    }

    /// <summary>
    /// A token from a small grammar, and whether the gateway must accept it: every choice is either clearly valid or
    /// clearly invalid under the rules (pinned alg, known kid, at+jwt, exact iss, aud, numeric unexpired exp, no
    /// forbidden headers, signed by the issuer).
    /// </summary>
    private (string Token, bool Valid) Generate(Random random, RSA attacker)
    {
        var valid = true;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        T Pick<T>(params (T Value, bool Ok)[] options)
        {
            // Most choices valid, so a fair share of tokens is fully valid.
            var (value, ok) = random.Next(10) < 8 ? options[0] : options[random.Next(options.Length)];
            valid &= ok;
            return value;
        }

        var alg = Pick(("RS256", true), ("none", false), ("HS256", false), ("RS512", false), ("rs256", false));
        var kid = Pick((FakeIdentityProvider.RsaKeyId, true), ("../../etc/passwd", false), (new string('k', 200), false), ("", false));
        // "AT+JWT": the token handler compares typ case-sensitively (stricter than RFC 7515 §4.1.9, and fail-safe).
        var typ = Pick<object?>(("at+jwt", true), ("AT+JWT", false), ("application/at+jwt", true), ("JWT", false), (null, false), ("internal+jwt", false));
        var extra = Pick<string?>((null, true), ("\"jku\":\"https://a.example\"", false), ("\"crit\":[\"x\"]", false), ("\"b64\":false", false), ("\"x5c\":[]", false), ("\"cty\":\"JWT\"", false), ("\"alg\":\"RS256\"", false), ("\"x-custom\":1", true));
        var iss = Pick(((object)env.Idp.Issuer, true), (env.Idp.Issuer + "/", false), (env.Idp.Issuer.ToUpperInvariant(), false), ("https://attacker.example", false), (new[] { env.Idp.Issuer }, false));
        var aud = Pick<object?>((new[] { "reference-api", "orders-api" }, true), ("reference-api", true), ("orders-api", false), (null, false), ("Reference-Api", false));
        var exp = Pick<object?>((now + 600, true), (now - 600, false), (null, false), ((now + 600).ToString(System.Globalization.CultureInfo.InvariantCulture), false));
        var nbf = Pick<object?>((now - 5, true), (null, true), (now + 600, false), ("0", false));
        var sub = Pick<object?>(("demo-client", true), (null, false));
        var duplicate = Pick(("", true), (",\"sub\":\"admin\"", false), (",\"iss\":\"x\"", false));
        var signer = Pick(("issuer", true), ("attacker", false), ("random", false), ("empty", false));
        if (sub is null && duplicate == ",\"sub\":\"admin\"")
        {
            // The "duplicate" is then the only sub: a valid member, but still a token the issuer never signed this way.
            duplicate = "";
        }

        var header = new Dictionary<string, object?> { ["alg"] = alg, ["kid"] = kid };
        if (typ is not null)
        {
            header["typ"] = typ;
        }

        var headerJson = JsonSerializer.Serialize(header);
        if (extra is not null)
        {
            headerJson = headerJson.TrimEnd('}') + "," + extra + "}";
        }

        var payload = new Dictionary<string, object?> { ["iss"] = iss, ["client_id"] = "demo-client", ["scope"] = "orders.read", ["tenant_id"] = "tenant-a", ["iat"] = now - 5, ["jti"] = Guid.NewGuid().ToString("N") };
        foreach (var (name, value) in new[] { ("aud", aud), ("exp", exp), ("nbf", nbf), ("sub", sub) })
        {
            if (value is not null)
            {
                payload[name] = value;
            }
        }

        var payloadJson = JsonSerializer.Serialize(payload).TrimEnd('}') + duplicate + "}";
        var input = $"{B64(headerJson)}.{B64(payloadJson)}";
        var signature = signer switch
        {
            "issuer" => env.Idp.Rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "attacker" => attacker.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "random" => RandomNumberGenerator.GetBytes(256),
            _ => [],
        };
        return ($"{input}.{B64(signature)}", valid);
    }

    private static string RandomJson(Random random, bool header)
    {
        string[] names = header ? ["alg", "kid", "typ", "crit", "jku", "jwk", "x5u", "x5c", "b64", "cty", "enc", "zip", "x"] : ["iss", "sub", "aud", "exp", "nbf", "iat", "scope", "tenant_id", "roles", "email", "x"];
        string[] values = ["\"RS256\"", "\"ES256\"", "\"none\"", "\"HS256\"", "\"at+jwt\"", "\"k1\"", "1", "null", "[]", "{}", "[\"a\"]", "true", "\"\"", "1e400", "\"\\u0000\""];
        var members = Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"\"{names[random.Next(names.Length)]}\":{values[random.Next(values.Length)]}");
        var json = "{" + string.Join(',', members) + "}";
        return random.Next(20) == 0 ? json[..random.Next(json.Length)] : json;
    }

    private static string RandomHeaderValue(Random random) => random.Next(3) switch
    {
        0 => "Bearer " + RandomString(random, Base64UrlAlphabet + ".", random.Next(0, 40)),
        1 => RandomString(random, HeaderChars, random.Next(0, 30)),
        _ => new[] { "Bearer", "bearer ", "Bearer  x", "BEARER y", "Basic z", "Bearerx", "Bearer\tx", " Bearer x" }[random.Next(8)],
    };

    private static string RandomId(Random random) => random.Next(3) switch
    {
        0 => RandomString(random, Base64UrlAlphabet + ".:", random.Next(1, 140)),
        1 => RandomString(random, HeaderChars, random.Next(0, 40)),
        _ => new[] { "", "a b", "id\"x", "<script>", new string('a', 128), new string('a', 129), "ok-id:1.2_3" }[random.Next(7)],
    };

    private static string RandomString(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static string B64(string text) => Jws.B64(text);

    private static string B64(byte[] bytes) => Jws.B64(bytes);

    private static string Pad(string segment)
    {
        var s = segment.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
