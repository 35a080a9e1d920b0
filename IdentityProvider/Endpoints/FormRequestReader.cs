using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// Reads an <c>application/x-www-form-urlencoded</c> body with a hard size bound. Parameter names are
/// case-sensitive, a repeated parameter is an error (RFC 6749 §3.2) and a parameter without a value counts as
/// omitted (RFC 6749 §3.1).
/// </summary>
internal static class FormRequestReader
{
    /// <summary>
    /// The first steps every back-channel protocol endpoint (token, introspection, revocation) takes: POST only,
    /// a form content type, then the bounded form. On failure, the <c>invalid_request</c> description to answer.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, string>? Parameters, string? Error)> ReadPostedFormAsync(HttpRequest request, string endpointName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HttpMethods.IsPost(request.Method))
        {
            return (null, $"The {endpointName} endpoint accepts only POST.");
        }

        if (!HasFormContentType(request))
        {
            return (null, "The request must be application/x-www-form-urlencoded (UTF-8).");
        }

        return await ReadAsync(request, cancellationToken);
    }

    /// <summary>Token requests are small; issue 4's token exchange carries two JWTs of at most 8 KiB each.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    public const int MaxParameters = 32;

    private const string FormMediaType = "application/x-www-form-urlencoded";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool HasFormContentType(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = mediaType.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    /// <returns>The parameters, or <see langword="null"/> with a description of what is wrong.</returns>
    public static async Task<(IReadOnlyDictionary<string, string>? Parameters, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string TooLarge = "The request body is too large.";
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = MaxBodyBytes;
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException)
        {
            return (null, TooLarge);
        }

        if (length > MaxBodyBytes)
        {
            return (null, TooLarge);
        }

        string body;
        try
        {
            body = StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return (null, "The request body is not valid UTF-8.");
        }

        return Parse(body);
    }

    internal static (IReadOnlyDictionary<string, string>? Parameters, string? Error) Parse(string body)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (seen.Count == MaxParameters)
            {
                return (null, "The request has too many parameters.");
            }

            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(separator < 0 ? pair : pair[..separator]);
            var value = separator < 0 ? string.Empty : Decode(pair[(separator + 1)..]);
            if (!seen.Add(name))
            {
                return (null, "Request parameters must not be included more than once (RFC 6749 §3.2).");
            }

            if (value.Length > 0)
            {
                parameters[name] = value;
            }
        }

        return (parameters, null);
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
