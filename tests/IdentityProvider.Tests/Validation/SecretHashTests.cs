using System.Security.Cryptography;
using System.Text;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tests.Validation;

public sealed class SecretHashTests
{
    [Fact]
    public void Format_Secret_IsSha256OfUtf8InBase64()
    {
        var expected = "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("pässword")));

        Assert.Equal(expected, SecretHash.Format("pässword"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha256:%%%")]
    [InlineData("sha512:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("sha256:AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryParse_Malformed_ReturnsFalse(string? value)
    {
        Assert.False(SecretHash.TryParse(value, out _));
    }

    [Fact]
    public void TryParse_Formatted_RoundTrips()
    {
        Assert.True(SecretHash.TryParse(SecretHash.Format("secret"), out var hash));
        Assert.Equal(SecretHash.Compute("secret"), hash);
    }
}
