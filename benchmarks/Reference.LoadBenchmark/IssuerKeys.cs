using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Reference.LoadBenchmark;

/// <summary>
/// Signs benchmark access tokens with the IdentityProvider's own signing keys (RS256 and ES256), read from the data folder
/// it created at start (the same approach as the end-to-end suite): tokens the real issuer could have issued, in the
/// thousands, without a thousand token requests. The gateway and the JwtBearer peer verify them against the IdP's JWKS.
/// </summary>
internal sealed class IssuerKeys : IDisposable
{
    private readonly RSA _rsa;
    private readonly ECDsa _ec;
    private readonly string _rsaKeyId;
    private readonly string _ecKeyId;

    private IssuerKeys(string issuer, JsonWebKey rsa, JsonWebKey ec)
    {
        Issuer = issuer;
        _rsaKeyId = rsa.Kid;
        _ecKeyId = ec.Kid;
        _rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(rsa.N),
            Exponent = Base64UrlEncoder.DecodeBytes(rsa.E),
            D = Base64UrlEncoder.DecodeBytes(rsa.D),
            P = Base64UrlEncoder.DecodeBytes(rsa.P),
            Q = Base64UrlEncoder.DecodeBytes(rsa.Q),
            DP = Base64UrlEncoder.DecodeBytes(rsa.DP),
            DQ = Base64UrlEncoder.DecodeBytes(rsa.DQ),
            InverseQ = Base64UrlEncoder.DecodeBytes(rsa.QI),
        });
        _ec = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(ec.D),
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(ec.X), Y = Base64UrlEncoder.DecodeBytes(ec.Y) },
        });
    }

    public string Issuer { get; }

    public RSA Rsa => _rsa;

    public ECDsa Ec => _ec;

    /// <summary>Loads the active RS256 and ES256 keys from <c>{identityProjectDirectory}/.data/keys</c>.</summary>
    public static IssuerKeys Load(string identityProjectDirectory, string issuer)
    {
        var directory = Path.Combine(identityProjectDirectory, ".data", "keys");
        return new IssuerKeys(issuer, new JsonWebKey(Current(directory, "rs256")), new JsonWebKey(Current(directory, "es256")));
    }

    /// <summary>An RFC 9068 access token for the gateway's audience, valid for two hours.</summary>
    public string CreateToken(string algorithm, string subject, DateTimeOffset now)
    {
        var header = algorithm == "RS256"
            ? $$"""{"alg":"RS256","typ":"at+jwt","kid":"{{_rsaKeyId}}"}"""
            : $$"""{"alg":"ES256","typ":"at+jwt","kid":"{{_ecKeyId}}"}""";
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = "reference-api",
            ["sub"] = subject,
            ["client_id"] = "demo-client",
            ["scope"] = "orders.read",
            ["tenant_id"] = "tenant-a",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(2).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var data = Encoding.ASCII.GetBytes(input);
        var signature = algorithm == "RS256"
            ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : _ec.SignData(data, HashAlgorithmName.SHA256);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary><paramref name="count"/> distinct tokens, signed on every core (RS256 signing is ~1 ms each).</summary>
    public string[] CreateTokens(string algorithm, int count, string subjectPrefix)
    {
        var now = DateTimeOffset.UtcNow;
        var tokens = new string[count];
        Parallel.For(0, count, i => tokens[i] = CreateToken(algorithm, subjectPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), now));
        return tokens;
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
    }

    // The key signing now: the highest generation already activated (signing-key-{alg}-{generation:D6}.json).
    private static string Current(string directory, string algorithm)
    {
        var now = DateTimeOffset.UtcNow;
        return Directory.EnumerateFiles(directory, $"signing-key-{algorithm}*.json")
            .Select(File.ReadAllText)
            .Select(json => (Json: json, Document: JsonDocument.Parse(json).RootElement.Clone()))
            .Where(k => !k.Document.TryGetProperty("activates", out var activates) || activates.GetDateTimeOffset() <= now)
            .OrderByDescending(k => k.Document.TryGetProperty("generation", out var generation) ? generation.GetInt32() : 0)
            .Select(k => k.Json)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"No {algorithm} signing key in {directory}: did the IdentityProvider start?");
    }
}
