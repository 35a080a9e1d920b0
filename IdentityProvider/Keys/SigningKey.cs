using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Reference.IdentityProvider.Keys;

/// <summary>A loaded asymmetric signing key: its credentials for signing and its public JWK for the JWKS.</summary>
internal sealed class SigningKey : IDisposable
{
    private const string UseSignature = "sig";
    private const string CurveP256 = "P-256";
    private const int RsaKeySizeInBits = 2048;

    private readonly AsymmetricAlgorithm _algorithm;

    private SigningKey(SigningKeyDocument document, AsymmetricAlgorithm key, AsymmetricSecurityKey securityKey, PublicJsonWebKey publicJwk)
    {
        Algorithm = document.Algorithm;
        CreatedAt = document.CreatedAt;
        Generation = document.Generation;

        // A key written before rotation existed (generation 0) has been signing since it was created.
        ActivatesAt = document.ActivatesAt ?? document.CreatedAt;
        RetiresAt = document.RetiresAt;
        _algorithm = key;
        SecurityKey = securityKey;
        PublicJwk = publicJwk;
        SigningCredentials = new SigningCredentials(securityKey, document.Algorithm);
    }

    public string KeyId => PublicJwk.KeyId;

    public string Algorithm { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Position in the algorithm's rotation sequence; 0 for a key from before rotation existed.</summary>
    public int Generation { get; }

    /// <summary>When the key starts signing; it is published from its creation, <c>PublishAhead</c> earlier.</summary>
    public DateTimeOffset ActivatesAt { get; }

    /// <summary>Planned end of signing. The key actually signs until its successor activates.</summary>
    public DateTimeOffset? RetiresAt { get; }

    public AsymmetricSecurityKey SecurityKey { get; }

    public SigningCredentials SigningCredentials { get; }

    public PublicJsonWebKey PublicJwk { get; }

    /// <summary>Generates new private key material: RSA-2048 for RS256, P-256 for ES256.</summary>
    public static SigningKeyDocument Generate(string algorithm, DateTimeOffset createdAt) =>
        Generate(algorithm, createdAt, generation: 0, activatesAt: null, retiresAt: null);

    /// <summary>Generates new private key material with its place in the rotation schedule.</summary>
    public static SigningKeyDocument Generate(string algorithm, DateTimeOffset createdAt, int generation, DateTimeOffset? activatesAt, DateTimeOffset? retiresAt)
    {
        switch (algorithm)
        {
            case SigningAlgorithms.RS256:
            {
                using var rsa = RSA.Create(RsaKeySizeInBits);
                var p = rsa.ExportParameters(includePrivateParameters: true);
                var n = Encode(p.Modulus);
                var e = Encode(p.Exponent);
                return new SigningKeyDocument
                {
                    KeyId = JwkThumbprint.ForRsa(n, e),
                    Algorithm = algorithm,
                    KeyType = JsonWebAlgorithmsKeyTypes.RSA,
                    CreatedAt = createdAt,
                    Generation = generation,
                    ActivatesAt = activatesAt,
                    RetiresAt = retiresAt,
                    N = n,
                    E = e,
                    D = Encode(p.D),
                    P = Encode(p.P),
                    Q = Encode(p.Q),
                    DP = Encode(p.DP),
                    DQ = Encode(p.DQ),
                    QI = Encode(p.InverseQ),
                };
            }

            case SigningAlgorithms.ES256:
            {
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var p = ecdsa.ExportParameters(includePrivateParameters: true);
                var x = Encode(p.Q.X);
                var y = Encode(p.Q.Y);
                return new SigningKeyDocument
                {
                    KeyId = JwkThumbprint.ForEc(CurveP256, x, y),
                    Algorithm = algorithm,
                    KeyType = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                    CreatedAt = createdAt,
                    Generation = generation,
                    ActivatesAt = activatesAt,
                    RetiresAt = retiresAt,
                    Curve = CurveP256,
                    X = x,
                    Y = y,
                    D = Encode(p.D),
                };
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm.");
        }
    }

    /// <summary>Loads a persisted key; the stored kid must equal the thumbprint of the stored public key.</summary>
    /// <exception cref="InvalidDataException">The document is incomplete, inconsistent or not a valid key.</exception>
    public static SigningKey Load(SigningKeyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return document.Algorithm switch
            {
                SigningAlgorithms.RS256 when document.KeyType == JsonWebAlgorithmsKeyTypes.RSA => LoadRsa(document),
                SigningAlgorithms.ES256 when document.KeyType == JsonWebAlgorithmsKeyTypes.EllipticCurve && document.Curve == CurveP256 => LoadEc(document),
                _ => throw new InvalidDataException($"Unsupported key: alg '{document.Algorithm}', kty '{document.KeyType}'."),
            };
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            throw new InvalidDataException("The key material is not a valid key.", ex);
        }
    }

    public void Dispose() => _algorithm.Dispose();

    private static SigningKey LoadRsa(SigningKeyDocument d)
    {
        var n = Required(d.N, "n");
        var e = Required(d.E, "e");
        EnsureKeyId(d, JwkThumbprint.ForRsa(n, e));
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Decode(n),
                Exponent = Decode(e),
                D = Decode(Required(d.D, "d")),
                P = Decode(Required(d.P, "p")),
                Q = Decode(Required(d.Q, "q")),
                DP = Decode(Required(d.DP, "dp")),
                DQ = Decode(Required(d.DQ, "dq")),
                InverseQ = Decode(Required(d.QI, "qi")),
            });
            if (rsa.KeySize < RsaKeySizeInBits)
            {
                throw new InvalidDataException($"RSA keys must have at least {RsaKeySizeInBits} bits.");
            }

            var securityKey = new RsaSecurityKey(rsa) { KeyId = d.KeyId };
            var jwk = new PublicJsonWebKey(JsonWebAlgorithmsKeyTypes.RSA, UseSignature, d.Algorithm, d.KeyId, Modulus: n, Exponent: e);
            return new SigningKey(d, rsa, securityKey, jwk);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static SigningKey LoadEc(SigningKeyDocument d)
    {
        var x = Required(d.X, "x");
        var y = Required(d.Y, "y");
        EnsureKeyId(d, JwkThumbprint.ForEc(CurveP256, x, y));
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Decode(x), Y = Decode(y) },
                D = Decode(Required(d.D, "d")),
            });
            var securityKey = new ECDsaSecurityKey(ecdsa) { KeyId = d.KeyId };
            var jwk = new PublicJsonWebKey(JsonWebAlgorithmsKeyTypes.EllipticCurve, UseSignature, d.Algorithm, d.KeyId, Curve: CurveP256, X: x, Y: y);
            return new SigningKey(d, ecdsa, securityKey, jwk);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    private static void EnsureKeyId(SigningKeyDocument document, string thumbprint)
    {
        if (!string.Equals(document.KeyId, thumbprint, StringComparison.Ordinal))
        {
            throw new InvalidDataException("The stored kid is not the RFC 7638 thumbprint of the stored public key.");
        }
    }

    private static string Required(string? value, string member) =>
        string.IsNullOrEmpty(value) ? throw new InvalidDataException($"The key is missing its '{member}' member.") : value;

    private static string Encode(byte[]? value) => Base64Url.EncodeToString(value ?? throw new CryptographicException("Key export returned no value."));

    private static byte[] Decode(string value) => Base64Url.DecodeFromChars(value);
}
