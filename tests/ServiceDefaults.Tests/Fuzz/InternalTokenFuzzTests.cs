using System.Net;
using System.Text;
using System.Text.Json;
using Reference.ServiceDefaults.InternalTokens;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.Fuzz;

/// <summary>
/// Randomised internal tokens at a service (deterministic seeds): mutations of a valid gateway token and
/// grammar-generated headers, through the real authentication handler and directly through the pre-checks.
/// Properties: never a 5xx, never accepted unless unchanged, pre-checks never throw and pass only what the rules allow.
/// </summary>
public sealed class InternalTokenFuzzTests : IAsyncLifetime, IDisposable
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenTestSigner _signer = new("gateway-key-1");
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

    public void Dispose() => _signer.Dispose();

    [Fact]
    public async Task MutatedInternalToken_NeverAcceptedUnlessUnchanged_Never5xx()
    {
        var random = new Random(8725_2);
        var original = _signer.CreateToken(InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read orders.write"));
        for (var i = 0; i < 2500; i++)
        {
            var mutated = Mutate(original, random);

            using var response = await _host.Client.GetWithTokenAsync("/orders", mutated);

            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"#{i}: {status} for {mutated}");
            Assert.True(mutated == original ? status == 200 : status is 400 or 401, $"#{i}: {status} for {mutated}");
        }
    }

    [Fact]
    public async Task InvalidUtf8InHeaderOrClaims_Returns401NotAServerError()
    {
        var claims = InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        // A lone continuation byte: the JSON parser passes it, GetString throws (found by the mutation test above).
        byte[] badString = [(byte)'"', (byte)'a', 0xA1, (byte)'b', (byte)'"'];
        var header = Encoding.UTF8.GetBytes($"{{\"alg\":\"ES256\",\"typ\":\"internal+jwt\",\"kid\":");
        var payload = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(claims).TrimEnd('}') + ",\"email\":");
        var withBadKid = ($"{B64([.. header, .. badString, (byte)'}'])}.{B64(JsonSerializer.Serialize(claims))}");
        var withBadClaim = ($"{B64(JsonSerializer.Serialize(_signer.DefaultHeader()))}.{B64([.. payload, .. badString, (byte)'}'])}");

        var around = JsonSerializer.Serialize(claims).Split("\"urn:reference:gateway\"");
        var withBadIssuer = ($"{B64(JsonSerializer.Serialize(_signer.DefaultHeader()))}.{B64([.. Encoding.UTF8.GetBytes(around[0]), .. badString, .. Encoding.UTF8.GetBytes(around[1])])}");

        foreach (var token in new[] { withBadKid, withBadClaim, withBadIssuer }.Select(Signed))
        {
            using var response = await _host.Client.GetWithTokenAsync("/orders", token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("invalid_token", body.RootElement.GetProperty("error").GetString());
        }
    }

    private string Signed(string signingInput) => signingInput + "." + _signer.SignEs256(signingInput);

    [Fact]
    public void PreChecks_RandomTokens_NeverThrowAndPassOnlyWithinTheRules()
    {
        var random = new Random(7515_2);
        string[] names = ["alg", "typ", "kid", "crit", "jku", "jwk", "x5u", "x5c", "b64", "cty", "enc", "zip", "x"];
        string[] values = ["\"ES256\"", "\"RS256\"", "\"none\"", "\"internal+jwt\"", "\"at+jwt\"", "\"k1\"", "1", "null", "[]", "{}", "\"\"", "\"\\u0000\"", "true"];
        for (var i = 0; i < 20000; i++)
        {
            var members = Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"\"{names[random.Next(names.Length)]}\":{values[random.Next(values.Length)]}");
            var headerJson = "{" + string.Join(',', members) + "}";
            var signature = random.Next(4) switch
            {
                0 => new byte[64],
                1 => RandomBytes(random, random.Next(0, 80)),
                _ => RandomBytes(random, 64),
            };
            var token = random.Next(5) == 0
                ? RandomString(random, Alphabet + ".=+/ ", random.Next(0, 200))
                : $"{B64(headerJson)}.{B64("{}")}.{B64(signature)}";

            var failure = InternalTokenPreChecks.Check(token, 8192, out var keyId);

            if (failure is null)
            {
                Assert.Contains("\"alg\":\"ES256\"", headerJson, StringComparison.Ordinal);
                Assert.Contains("\"typ\":\"internal+jwt\"", headerJson, StringComparison.Ordinal);
                Assert.InRange(keyId.Length, 1, InternalTokenPreChecks.MaxKeyIdLength);
                Assert.Equal(64, signature.Length);
                Assert.False(signature.AsSpan(0, 32).IndexOfAnyExcept((byte)0) < 0 || signature.AsSpan(32).IndexOfAnyExcept((byte)0) < 0, $"#{i}: zero r or s passed");
                foreach (var forbidden in new[] { "crit", "jku", "jwk", "x5u", "x5c", "b64", "cty", "enc", "zip" })
                {
                    Assert.DoesNotContain($"\"{forbidden}\"", headerJson, StringComparison.Ordinal);
                }
            }
        }
    }

    private static string Mutate(string token, Random random)
    {
        var parts = token.Split('.');
        switch (random.Next(6))
        {
            case 0:
                {
                    var i = random.Next(token.Length);
                    return token[..i] + Alphabet[random.Next(Alphabet.Length)] + token[(i + 1)..];
                }

            case 1:
                {
                    var i = random.Next(token.Length + 1);
                    return token[..i] + (Alphabet + ".=+/ ")[random.Next(Alphabet.Length + 5)] + token[i..];
                }

            case 2:
                return token.Remove(random.Next(token.Length), 1);
            case 3:
                return token[..random.Next(token.Length)];
            case 4:
                {
                    var s = random.Next(3);
                    var bytes = Convert.FromBase64String(Pad(parts[s]));
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    parts[s] = B64(bytes);
                    return string.Join('.', parts);
                }

            default:
                return string.Join('.', parts.OrderBy(_ => random.Next()));
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomString(Random random, string alphabet, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Pad(string segment)
    {
        var s = segment.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
