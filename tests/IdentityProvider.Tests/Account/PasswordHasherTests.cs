using Reference.IdentityProvider.Account;

namespace Reference.IdentityProvider.Tests.Account;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_Default_IsPbkdf2Sha256WithAtLeast210000IterationsAndRandomSalt()
    {
        var first = PasswordHasher.Hash("pw");
        var second = PasswordHasher.Hash("pw");

        Assert.True(PasswordHasher.TryParse(first, out var parsed));
        Assert.StartsWith("pbkdf2-sha256$", first, StringComparison.Ordinal);
        Assert.True(parsed.Iterations >= 210_000);
        Assert.Equal(16, parsed.Salt.Length);
        Assert.Equal(32, parsed.Hash.Length);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("correct horse", true)]
    [InlineData("Correct horse", false)]
    [InlineData("correct horse ", false)]
    [InlineData("", false)]
    public void Verify_ComparesTheDerivedHash(string candidate, bool expected)
    {
        var hash = PasswordHasher.Hash("correct horse", 1_000);

        Assert.Equal(expected, PasswordHasher.Verify(candidate, hash));
    }

    [Fact]
    public void Verify_KnownVector_Matches()
    {
        // RFC 7914 §11 PBKDF2-HMAC-SHA256 test vector: P="passwd", S="salt", c=1, dkLen=32 (first 32 bytes).
        const string Stored = "pbkdf2-sha256$1$c2FsdHNhbHRzYWx0c2FsdA==$";
        var salt = "saltsaltsaltsalt"u8.ToArray();
        var expected = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("passwd"u8, salt, 1, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);

        Assert.True(PasswordHasher.Verify("passwd", Stored + Convert.ToBase64String(expected)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:abc")]
    [InlineData("pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$-5$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$99999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void TryParse_Malformed_IsRejectedAndNeverVerifies(string? stored)
    {
        Assert.False(PasswordHasher.TryParse(stored, out _));
        Assert.False(PasswordHasher.Verify("anything", stored));
    }

    [Fact]
    public void Verify_OverlongPassword_IsRejectedWithoutHashing()
    {
        var hash = PasswordHasher.Hash(new string('a', 300), 1_000);

        Assert.False(PasswordHasher.Verify(new string('a', 300), hash));
    }
}
