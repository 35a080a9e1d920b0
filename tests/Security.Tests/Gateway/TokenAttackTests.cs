using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reference.Security.Tests.Infrastructure;
using static Reference.Security.Tests.Infrastructure.TokenForge;

namespace Reference.Security.Tests.Gateway;

/// <summary>
/// The token corpus: every hostile or malformed bearer token of the checklist's attack classes, crafted here (own keys,
/// own base64url, raw JSON), sent to the running gateway on a JWT route that forwards to the recording stub. Each case
/// expects 401 <c>invalid_token</c> with the gateway's fixed description for the reason, and nothing downstream.
/// </summary>
[Collection(SecuritySystemGroup.Name)]
public sealed class TokenAttackTests(SecuritySystemFixture fixture)
{
    private const string Malformed = "The token is not a well-formed signed JWT.";
    private const string BadAlg = "The token's signing algorithm is not accepted.";
    private const string KeyMismatch = "The token's signing key does not match its algorithm.";
    private const string ForbiddenHeader = "The token header contains a parameter that is not accepted.";
    private const string Duplicate = "The token contains a duplicate JSON member.";
    private const string BadSignature = "The token signature is invalid.";
    private const string Expired = "The token has expired.";
    private const string NotYetValid = "The token is not yet valid.";
    private const string Nested = "Nested or encrypted tokens are not accepted.";
    private const string TooLong = "The token is too long.";
    private const string UnknownKey = "The token's signing key is unknown.";
    private const string BadAudience = "The token audience is not accepted.";
    private const string NoExp = "The token has no expiration time.";
    private const string BadKid = "The token header has no valid key identifier.";
    private const string BadIssuer = "The token issuer is not accepted.";
    private const string BadClaim = "The token contains an invalid claim.";
    private const string BadType = "The token type is not at+jwt.";
    private const string Invalid = "The token is invalid.";

    private static readonly RSA AttackerRsa = RSA.Create(2048);
    private static readonly ECDsa AttackerEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    // The order n of P-256: r or s equal to 0 or >= n is out of range (CVE-2022-21449 accepted r = s = 0).
    private static readonly byte[] P256Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    /// <summary>case id → (attack class, how the token is made, the expected error_description).</summary>
    internal static readonly IReadOnlyDictionary<string, (string Class, Func<SecuritySystemFixture, string> Build, string Description)> Cases =
        new Dictionary<string, (string, Func<SecuritySystemFixture, string>, string)>
        {
            // alg none and case variants (RFC 8725 §3.1): rejected before any key lookup.
            ["alg-none-no-signature"] = ("alg-none", f => SigningInput("""{"alg":"none","typ":"at+jwt"}""", Payload(f)) + ".", Malformed),
            ["alg-None-no-signature"] = ("alg-none", f => SigningInput("""{"alg":"None","typ":"at+jwt"}""", Payload(f)) + ".", Malformed),
            ["alg-NONE-no-signature"] = ("alg-none", f => SigningInput("""{"alg":"NONE","typ":"at+jwt"}""", Payload(f)) + ".", Malformed),
            ["alg-none-with-signature"] = ("alg-none", f => WithAlg(f, "none"), BadAlg),
            ["alg-nOnE-with-signature"] = ("alg-none", f => WithAlg(f, "nOnE"), BadAlg),
            ["alg-empty"] = ("alg-none", f => WithAlg(f, ""), BadAlg),
            ["alg-missing"] = ("alg-none", f => f.SignWithIssuer(Payload(f), """{"typ":"at+jwt","kid":"{kid}"}"""), BadAlg),
            ["alg-not-a-string"] = ("alg-none", f => f.SignWithIssuer(Payload(f), """{"alg":null,"typ":"at+jwt","kid":"{kid}"}"""), Malformed),

            // HMAC signed with the issuer's public key (algorithm confusion, RFC 8725 §3.2), and other unpinned algorithms.
            ["hs256-secret-public-jwk"] = ("hmac-public-key", f => Hmac(f, "HS256", Encoding.UTF8.GetBytes(f.IssuerRsaKey.PublicJwkJson())), BadAlg),
            ["hs256-secret-public-key-der"] = ("hmac-public-key", f => Hmac(f, "HS256", f.IssuerRsaKey.Rsa.ExportSubjectPublicKeyInfo()), BadAlg),
            ["hs256-secret-public-key-pem"] = ("hmac-public-key", f => Hmac(f, "HS256", Encoding.ASCII.GetBytes(f.IssuerRsaKey.Rsa.ExportSubjectPublicKeyInfoPem())), BadAlg),
            ["hs384-secret-public-key-der"] = ("hmac-public-key", f => Hmac(f, "HS384", f.IssuerRsaKey.Rsa.ExportSubjectPublicKeyInfo()), BadAlg),
            ["hs512-secret-public-key-der"] = ("hmac-public-key", f => Hmac(f, "HS512", f.IssuerRsaKey.Rsa.ExportSubjectPublicKeyInfo()), BadAlg),
            ["alg-ps256-unpinned"] = ("hmac-public-key", f => WithAlg(f, "PS256"), BadAlg),
            ["alg-rs512-unpinned"] = ("hmac-public-key", f => WithAlg(f, "RS512"), BadAlg),
            ["alg-rs256-on-ec-key"] = ("hmac-public-key", f => f.SignWithIssuer(Payload(f), $$"""{"alg":"RS256","typ":"at+jwt","kid":"{{f.IssuerEcKey.KeyId}}"}"""), KeyMismatch),
            ["alg-es256-on-rsa-key"] = ("hmac-public-key", f => Ec(f, f.IssuerEcKey.Ecdsa, f.IssuerRsaKey.KeyId), KeyMismatch),

            // ECDSA zero and out-of-range signatures (CVE-2022-21449), DER where JWS P1363 is expected.
            ["es256-r-and-s-zero"] = ("ecdsa-signature", f => EcRaw(f, new byte[64]), BadSignature),
            ["es256-r-zero"] = ("ecdsa-signature", f => EcRaw(f, [.. new byte[32], .. EcSignature(f)[32..]]), BadSignature),
            ["es256-s-zero"] = ("ecdsa-signature", f => EcRaw(f, [.. EcSignature(f)[..32], .. new byte[32]]), BadSignature),
            ["es256-r-and-s-equal-order"] = ("ecdsa-signature", f => EcRaw(f, [.. P256Order, .. P256Order]), BadSignature),
            ["es256-s-plus-order"] = ("ecdsa-signature", f => EcRaw(f, [.. EcSignature(f)[..32], .. AddOrder(EcSignature(f)[32..])]), BadSignature),
            ["es256-der-encoded"] = ("ecdsa-signature", f => EcDer(f), BadSignature),
            ["es256-truncated"] = ("ecdsa-signature", f => EcRaw(f, EcSignature(f)[..63]), BadSignature),

            // kid: traversal, injection, oversize, a key of another issuer.
            ["kid-path-traversal"] = ("kid", f => WithKid(f, "../../../../../../etc/passwd"), UnknownKey),
            ["kid-encoded-traversal"] = ("kid", f => WithKid(f, "..%2F..%2F..%2Fkeys%2Fsigning-key-rs256-000001.json"), UnknownKey),
            ["kid-sql-injection"] = ("kid", f => WithKid(f, "x' UNION SELECT 'secret' --"), UnknownKey),
            ["kid-url"] = ("kid", f => WithKid(f, "https://attacker.example/jwks.json"), UnknownKey),
            ["kid-command-injection"] = ("kid", f => WithKid(f, "key|/usr/bin/id"), UnknownKey),
            ["kid-nul-byte"] = ("kid", f => WithKid(f, f.IssuerRsaKey.KeyId + "\u0000"), UnknownKey),
            ["kid-oversize"] = ("kid", f => WithKid(f, new string('k', 129)), BadKid),
            ["kid-empty"] = ("kid", f => WithKid(f, ""), BadKid),
            ["kid-missing"] = ("kid", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"at+jwt"}"""), BadKid),
            ["kid-number"] = ("kid", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"at+jwt","kid":7}"""), BadKid),
            ["kid-attacker-key"] = ("kid", f => SignRs256(SigningInput(Header("RS256", Thumbprint(AttackerRsa)), Payload(f)), AttackerRsa), UnknownKey),
            ["kid-real-signed-by-attacker"] = ("kid", f => SignRs256(SigningInput(Header("RS256", f.IssuerRsaKey.KeyId), Payload(f)), AttackerRsa), BadSignature),
            ["kid-real-attacker-issuer"] = ("kid", f => SignRs256(SigningInput(Header("RS256", f.IssuerRsaKey.KeyId), Payload(f, c => c["iss"] = "https://attacker.example")), AttackerRsa), BadIssuer),

            // jku / x5u / jwk / x5c: key-carrying headers are never followed, even on a validly signed token.
            ["jku-header"] = ("key-headers", f => ExtraHeader(f, "\"jku\":\"https://attacker.example/jwks.json\""), ForbiddenHeader),
            ["x5u-header"] = ("key-headers", f => ExtraHeader(f, "\"x5u\":\"https://attacker.example/cert.pem\""), ForbiddenHeader),
            ["jwk-header-embedded-key"] = ("key-headers", f => EmbeddedJwk(), ForbiddenHeader),
            ["x5c-header"] = ("key-headers", f => ExtraHeader(f, "\"x5c\":[\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"]"), ForbiddenHeader),
            ["jku-header-uppercase-alg-ok"] = ("key-headers", f => ExtraHeader(f, "\"jku\":\"" + f.IdentityIssuer + "/.well-known/jwks\""), ForbiddenHeader),

            // crit and b64 (RFC 7515 §4.1.11, RFC 7797).
            ["crit-unknown-extension"] = ("crit-b64", f => ExtraHeader(f, "\"crit\":[\"urn:attacker:ext\"],\"urn:attacker:ext\":1"), ForbiddenHeader),
            ["crit-exp"] = ("crit-b64", f => ExtraHeader(f, "\"crit\":[\"exp\"]"), ForbiddenHeader),
            ["crit-empty-array"] = ("crit-b64", f => ExtraHeader(f, "\"crit\":[]"), ForbiddenHeader),
            ["b64-false"] = ("crit-b64", f => ExtraHeader(f, "\"b64\":false,\"crit\":[\"b64\"]"), ForbiddenHeader),
            ["b64-false-without-crit"] = ("crit-b64", f => ExtraHeader(f, "\"b64\":false"), ForbiddenHeader),

            // JWE and nested JWT.
            ["jwe-five-segments"] = ("jwe-nested", f => $"{B64("""{"alg":"RSA-OAEP","enc":"A256GCM"}""")}.{B64(RandomNumberGenerator.GetBytes(256))}.{B64(RandomNumberGenerator.GetBytes(12))}.{B64(RandomNumberGenerator.GetBytes(64))}.{B64(RandomNumberGenerator.GetBytes(16))}", Malformed),
            ["jwe-enc-header-three-segments"] = ("jwe-nested", f => ExtraHeader(f, "\"enc\":\"A256GCM\""), Nested),
            ["nested-cty-jwt"] = ("jwe-nested", f => f.SignWithIssuer(B64(f.SignWithIssuer(Payload(f))), """{"alg":"RS256","typ":"at+jwt","kid":"{kid}","cty":"JWT"}"""), Nested),
            ["nested-cty-jwt-lowercase"] = ("jwe-nested", f => ExtraHeader(f, "\"cty\":\"jwt\""), Nested),
            ["zip-header"] = ("jwe-nested", f => ExtraHeader(f, "\"zip\":\"DEF\""), Nested),

            // Lifetime.
            ["expired"] = ("lifetime", f => Signed(f, c => Lifetime(c, -20, -10)), Expired),
            ["expired-beyond-skew"] = ("lifetime", f => Signed(f, c => Lifetime(c, -10, -1.5)), Expired),
            ["nbf-in-future"] = ("lifetime", f => Signed(f, c => Lifetime(c, 10, 20)), NotYetValid),
            ["iat-in-future"] = ("lifetime", f => Signed(f, c => c["iat"] = Unix(DateTimeOffset.UtcNow.AddMinutes(3))), NotYetValid),
            ["exp-missing"] = ("lifetime", f => Signed(f, c => c.Remove("exp")), NoExp),
            ["exp-string"] = ("lifetime", f => Signed(f, c => c["exp"] = "9999999999"), BadClaim),
            ["nbf-string"] = ("lifetime", f => Signed(f, c => c["nbf"] = "0"), BadClaim),
            ["exp-float-far-future"] = ("lifetime", f => Signed(f, c => c["exp"] = 1e300), Invalid),

            // Issuer: exact match only.
            ["iss-trailing-slash"] = ("issuer", f => Signed(f, c => c["iss"] = f.IdentityIssuer + "/"), BadIssuer),
            ["iss-uppercase"] = ("issuer", f => Signed(f, c => c["iss"] = f.IdentityIssuer.ToUpperInvariant()), BadIssuer),
            ["iss-https-variant"] = ("issuer", f => Signed(f, c => c["iss"] = "https" + f.IdentityIssuer[4..]), BadIssuer),
            ["iss-trailing-space"] = ("issuer", f => Signed(f, c => c["iss"] = f.IdentityIssuer + " "), BadIssuer),
            ["iss-foreign"] = ("issuer", f => Signed(f, c => c["iss"] = "https://attacker.example"), BadIssuer),
            ["iss-missing"] = ("issuer", f => Signed(f, c => c.Remove("iss")), BadIssuer),
            ["iss-array"] = ("issuer", f => Signed(f, c => c["iss"] = new[] { f.IdentityIssuer }), BadClaim),

            // Audience.
            ["aud-wrong"] = ("audience", f => Signed(f, c => c["aud"] = "billing-api"), BadAudience),
            ["aud-missing"] = ("audience", f => Signed(f, c => c.Remove("aud")), BadAudience),
            ["aud-trailing-slash"] = ("audience", f => Signed(f, c => c["aud"] = "reference-api/"), BadAudience),
            ["aud-case"] = ("audience", f => Signed(f, c => c["aud"] = "Reference-API"), BadAudience),
            ["aud-empty-array"] = ("audience", f => Signed(f, c => c["aud"] = Array.Empty<string>()), BadAudience),

            // Token type: only at+jwt (an ID token or the gateway's internal token is not an access token).
            ["typ-jwt"] = ("typ", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"JWT","kid":"{kid}"}"""), BadType),
            ["typ-missing"] = ("typ", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","kid":"{kid}"}"""), BadType),
            ["typ-internal-jwt"] = ("typ", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"internal+jwt","kid":"{kid}"}"""), BadType),
            ["typ-logout-jwt"] = ("typ", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"logout+jwt","kid":"{kid}"}"""), BadType),
            ["typ-number"] = ("typ", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":1,"kid":"{kid}"}"""), BadType),

            // Duplicate JSON members (parser differentials), including an escaped duplicate.
            ["dup-header-alg"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f), """{"alg":"none","alg":"RS256","typ":"at+jwt","kid":"{kid}"}"""), Duplicate),
            ["dup-header-alg-escaped"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","\u0061lg":"RS256","typ":"at+jwt","kid":"{kid}"}"""), Duplicate),
            ["dup-payload-sub"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f).Replace("{", "{\"sub\":\"admin\",", StringComparison.Ordinal)), Duplicate),
            ["dup-payload-tenant"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f).TrimEnd('}') + ",\"tenant_id\":\"tenant-b\"}"), Duplicate),
            ["dup-payload-scope"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f).TrimEnd('}') + ",\"scope\":\"orders.write\"}"), Duplicate),
            ["dup-payload-exp"] = ("duplicate-keys", f => f.SignWithIssuer(Payload(f).TrimEnd('}') + $",\"exp\":{Unix(DateTimeOffset.UtcNow.AddYears(5))}}}"), Duplicate),

            // Size limits before parsing.
            ["oversize-token"] = ("oversize", f => Signed(f, c => c["padding"] = new string('x', 9000)), TooLong),
            ["oversize-header-segment"] = ("oversize", f => ExtraHeader(f, $"\"pad\":\"{new string('x', 2000)}\""), TooLong),
            ["deeply-nested-payload"] = ("oversize", f => f.SignWithIssuer(Payload(f).TrimEnd('}') + ",\"x\":" + new string('[', 64) + new string(']', 64) + "}"), Malformed),

            // Malformed encodings and framing.
            ["b64-padding"] = ("malformed-b64", f => PadSegments(f.SignWithIssuer(Payload(f))), Malformed),
            ["b64-standard-alphabet"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f)).Replace('-', '+').Replace('_', '/') + "+/", Malformed),
            ["b64-noncanonical-header"] = ("malformed-b64", f => NonCanonical(f.SignWithIssuer(Payload(f), HeaderWithUnusedBits()), 0), Malformed),
            ["b64-noncanonical-signature"] = ("malformed-b64", f => NonCanonical(f.SignWithIssuer(Payload(f)), 2), BadSignature),
            ["b64-invalid-length"] = ("malformed-b64", f => Insert(f.SignWithIssuer(Payload(f)), 1, "A"), Malformed),
            ["extra-dot-four-segments"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f)) + ".AAAA", Malformed),
            ["trailing-dot"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f)) + ".", Malformed),
            ["two-segments"] = ("malformed-b64", f => string.Join('.', f.SignWithIssuer(Payload(f)).Split('.')[..2]), Malformed),
            ["signature-stripped"] = ("malformed-b64", f => string.Join('.', f.SignWithIssuer(Payload(f)).Split('.')[..2]) + ".", Malformed),
            ["empty-segments"] = ("malformed-b64", f => "..", Malformed),
            ["whitespace-inside"] = ("malformed-b64", f => Insert(f.SignWithIssuer(Payload(f)), 0, " "), Malformed),
            ["tab-inside"] = ("malformed-b64", f => Insert(f.SignWithIssuer(Payload(f)), 1, "\t"), Malformed),
            ["unicode-inside"] = ("malformed-b64", f => Insert(f.SignWithIssuer(Payload(f)), 1, "é"), Malformed),
            ["header-not-json"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f), "RS256 at+jwt"), Malformed),
            ["header-json-array"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f), """["RS256"]"""), Malformed),
            ["header-trailing-comma"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256","typ":"at+jwt","kid":"{kid}",}"""), Malformed),
            ["header-comment"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f), """{"alg":"RS256",/*x*/"typ":"at+jwt","kid":"{kid}"}"""), Malformed),
            ["payload-trailing-garbage"] = ("malformed-b64", f => f.SignWithIssuer(Payload(f) + "{}"), Malformed),
            ["payload-invalid-utf8-in-claim"] = ("malformed-b64", f => SignRawPayload(f, [.. Encoding.UTF8.GetBytes(Payload(f).TrimEnd('}') + ",\"email\":\"a"), 0xA1, (byte)'"', (byte)'}']), Malformed),
            ["payload-invalid-utf8"] = ("malformed-b64", f => SignRawPayload(f, [.. Encoding.UTF8.GetBytes(Payload(f).TrimEnd('}') + ",\"x\":\""), 0xC3, 0x28, (byte)'"', (byte)'}']), Invalid),

            // Signatures and payloads that were tampered with after signing.
            ["tampered-payload-tenant"] = ("tampering", f => SwapPayload(f.SignWithIssuer(Payload(f)), Payload(f, c => c["tenant_id"] = "tenant-b")), BadSignature),
            ["tampered-payload-scope"] = ("tampering", f => SwapPayload(f.SignWithIssuer(Payload(f)), Payload(f, c => c["scope"] = "orders.read orders.write")), BadSignature),
            ["tampered-signature-bitflip"] = ("tampering", f => FlipSignatureBit(f.SignWithIssuer(Payload(f))), BadSignature),
            ["signature-from-other-token"] = ("tampering", f => SwapSignature(f.SignWithIssuer(Payload(f)), f.SignWithIssuer(Payload(f, c => c["sub"] = "other"))), BadSignature),
        }.ToDictionary(kv => kv.Key, kv => kv.Value);

    public static TheoryData<string> CaseIds => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task JwtRoute_HostileToken_Returns401InvalidTokenAndStubSeesNothing(string caseId)
    {
        var (_, build, description) = Cases[caseId];
        var token = build(fixture);
        var marker = SecuritySystemFixture.Marker(caseId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token), caseId);

        // Straight to a gateway replica: some hostile tokens are not valid header text for the local load balancer.
        using var response = await fixture.SendToGatewayAsync(request, direct: true);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", description);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task JwtRoute_TokenSignedByIssuerKeyWithForgeEncoder_IsForwarded(string algorithm)
    {
        // The control for the corpus: the same construction with nothing wrong passes, so every rejection above comes
        // from the defect under test and not from the way the tokens are made.
        var token = algorithm == "RS256" ? fixture.SignWithIssuer(Payload(fixture)) : Ec(fixture, fixture.IssuerEcKey.Ecdsa, fixture.IssuerEcKey.KeyId);
        var marker = SecuritySystemFixture.Marker("control-" + algorithm);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await fixture.SendToGatewayAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Stub.RequestsFor(marker));
        Assert.DoesNotContain(token, string.Join(' ', seen.Headers.Values.SelectMany(v => v)), StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_EveryAttackClass_HasCases()
    {
        var classes = Cases.Values.GroupBy(c => c.Class).ToDictionary(g => g.Key, g => g.Count());

        Assert.All(
            new[] { "alg-none", "hmac-public-key", "ecdsa-signature", "kid", "key-headers", "crit-b64", "jwe-nested", "lifetime", "issuer", "audience", "typ", "duplicate-keys", "oversize", "malformed-b64", "tampering" },
            c => Assert.True(classes.GetValueOrDefault(c) >= 2, $"attack class {c} has {classes.GetValueOrDefault(c)} cases"));
    }

    internal static string Payload(SecuritySystemFixture f, Action<Dictionary<string, object>>? edit = null)
    {
        var claims = f.GoodClaims();
        edit?.Invoke(claims);
        return JsonSerializer.Serialize(claims);
    }

    private static void Lifetime(Dictionary<string, object> claims, double notBeforeMinutes, double expiresMinutes)
    {
        var now = DateTimeOffset.UtcNow;
        claims["iat"] = claims["nbf"] = Unix(now.AddMinutes(Math.Min(notBeforeMinutes, 0)));
        claims["nbf"] = Unix(now.AddMinutes(notBeforeMinutes));
        claims["exp"] = Unix(now.AddMinutes(expiresMinutes));
    }

    private static string Header(string alg, string kid) => $$"""{"alg":"{{alg}}","typ":"at+jwt","kid":{{Str(kid)}}}""";

    private static string Signed(SecuritySystemFixture f, Action<Dictionary<string, object>> edit) => f.SignWithIssuer(Payload(f, edit));

    private static string WithAlg(SecuritySystemFixture f, string alg) => f.SignWithIssuer(Payload(f), Header(alg, "{kid}"));

    private static string WithKid(SecuritySystemFixture f, string kid) => SignRs256(SigningInput(Header("RS256", kid), Payload(f)), f.IssuerRsaKey.Rsa);

    private static string ExtraHeader(SecuritySystemFixture f, string members) =>
        f.SignWithIssuer(Payload(f), "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"{kid}\"," + members + "}");

    private static string Hmac(SecuritySystemFixture f, string alg, byte[] secret)
    {
        var input = SigningInput(Header(alg, f.IssuerRsaKey.KeyId), Payload(f));
        var data = Encoding.ASCII.GetBytes(input);
        var mac = alg switch
        {
            "HS384" => HMACSHA384.HashData(secret, data),
            "HS512" => HMACSHA512.HashData(secret, data),
            _ => HMACSHA256.HashData(secret, data),
        };
        return $"{input}.{B64(mac)}";
    }

    private static string Ec(SecuritySystemFixture f, ECDsa key, string kid) => SignEs256(SigningInput(Header("ES256", kid), Payload(f)), key);

    private static string EcInput(SecuritySystemFixture f) => SigningInput(Header("ES256", f.IssuerEcKey.KeyId), Payload(f));

    private static byte[] EcSignature(SecuritySystemFixture f) =>
        f.IssuerEcKey.Ecdsa.SignData(Encoding.ASCII.GetBytes(EcInput(f)), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    // A zero or out-of-range signature on a payload no one signed (each call has a fresh jti).
    private static string EcRaw(SecuritySystemFixture f, byte[] signature) => $"{EcInput(f)}.{B64(signature)}";

    // A genuine signature by the issuer's EC key, DER-encoded (RFC 7518 §3.4 requires the 64-byte R||S form).
    private static string EcDer(SecuritySystemFixture f) => SignEs256(EcInput(f), f.IssuerEcKey.Ecdsa, DSASignatureFormat.Rfc3279DerSequence);

    private static byte[] AddOrder(byte[] scalar)
    {
        var value = new BigInteger(scalar, isUnsigned: true, isBigEndian: true) + new BigInteger(P256Order, isUnsigned: true, isBigEndian: true);
        return value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    private static string Thumbprint(RSA key) => B64(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    // A token signed by an attacker key that it carries itself in a jwk header (the "embedded key" attack).
    private static string EmbeddedJwk()
    {
        var p = AttackerRsa.ExportParameters(false);
        var header = $$$"""{"alg":"RS256","typ":"at+jwt","kid":"attacker","jwk":{"kty":"RSA","kid":"attacker","n":"{{{B64(p.Modulus!)}}}","e":"{{{B64(p.Exponent!)}}}"}}""";
        return SignRs256(SigningInput(header, """{"iss":"x","sub":"admin","aud":"reference-api","exp":9999999999}"""), AttackerRsa);
    }

    private static string SignRawPayload(SecuritySystemFixture f, byte[] payload)
    {
        var input = $"{B64(Header("RS256", f.IssuerRsaKey.KeyId))}.{B64(payload)}";
        return SignRs256(input, f.IssuerRsaKey.Rsa);
    }

    // JSON whitespace changes the encoded length until the last base64url character carries unused bits.
    private static string HeaderWithUnusedBits()
    {
        var header = """{"alg":"RS256","typ":"at+jwt","kid":"{kid}"}""";
        while (B64(header.Replace("{kid}", new string('k', 43), StringComparison.Ordinal)).Length % 4 == 0)
        {
            header = " " + header;
        }

        return header;
    }

    private static string PadSegments(string token) => string.Join('.', token.Split('.').Select(s => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=')));

    private static string Insert(string token, int segment, string text)
    {
        var parts = token.Split('.');
        parts[segment] = parts[segment].Insert(parts[segment].Length / 2, text);
        return string.Join('.', parts);
    }

    /// <summary>
    /// Sets the unused low bits of a segment's last character (e.g. 'Q' for 'R'): a lenient decoder yields the same bytes.
    /// On the header it changes the signing input, so the signature fails; on the signature it would make a second
    /// spelling of the same signature, which strict decoding refuses.
    /// </summary>
    private static string NonCanonical(string token, int segment)
    {
        var parts = token.Split('.');
        var s = parts[segment];
        var unusedBits = (s.Length % 4) switch { 2 => 4, 3 => 2, _ => 0 };
        Assert.True(unusedBits > 0, $"segment {segment} has no unused bits (length {s.Length})");
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var index = Alphabet.IndexOf(s[^1], StringComparison.Ordinal);
        parts[segment] = s[..^1] + Alphabet[index | 1];
        Assert.NotEqual(s, parts[segment]);
        return string.Join('.', parts);
    }

    private static string SwapPayload(string token, string payloadJson)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{B64(payloadJson)}.{parts[2]}";
    }

    private static string SwapSignature(string token, string other) => token[..token.LastIndexOf('.')] + other[other.LastIndexOf('.')..];

    private static string FlipSignatureBit(string token)
    {
        var parts = token.Split('.');
        var signature = FromB64(parts[2]);
        signature[signature.Length / 2] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{B64(signature)}";
    }
}
