using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Reference.LoadBenchmark;

/// <summary>The raw cost, in µs of one core, of what the fast path cannot avoid on a cold token.</summary>
internal sealed record CryptoFloor(double Rs256VerifyUs, double Es256VerifyUs, double Es256SignUs, double Sha256TokenUs)
{
    /// <summary>Single-threaded medians of 7 batches, with the IdP's own keys and a real token's signing input.</summary>
    public static CryptoFloor Measure(IssuerKeys keys, string rsToken, string esToken, int operations)
    {
        var rsInput = Encoding.ASCII.GetBytes(rsToken[..rsToken.LastIndexOf('.')]);
        var rsSignature = Base64UrlDecode(rsToken[(rsToken.LastIndexOf('.') + 1)..]);
        var esInput = Encoding.ASCII.GetBytes(esToken[..esToken.LastIndexOf('.')]);
        var esSignature = Base64UrlDecode(esToken[(esToken.LastIndexOf('.') + 1)..]);
        Span<byte> hash = stackalloc byte[32];
        var sink = 0;
        var rs = Median(operations, () => sink += keys.Rsa.VerifyData(rsInput, rsSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) ? 1 : 0);
        var esVerify = Median(operations, () => sink += keys.Ec.VerifyData(esInput, esSignature, HashAlgorithmName.SHA256) ? 1 : 0);
        var esSign = Median(operations, () => sink += keys.Ec.SignData(esInput, HashAlgorithmName.SHA256).Length);
        var sha = Median(operations * 10, () => sink += SHA256.HashData(Encoding.UTF8.GetBytes(rsToken))[0]);
        GC.KeepAlive(sink);
        return new CryptoFloor(rs, esVerify, esSign, sha);
    }

    private static double Median(int operations, Action operation)
    {
        for (var i = 0; i < Math.Min(operations, 200); i++)
        {
            operation();
        }

        var batches = new double[7];
        for (var b = 0; b < batches.Length; b++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < operations; i++)
            {
                operation();
            }

            batches[b] = Stopwatch.GetElapsedTime(started).TotalMicroseconds / operations;
        }

        Array.Sort(batches);
        return batches[batches.Length / 2];
    }

    private static byte[] Base64UrlDecode(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);
}
