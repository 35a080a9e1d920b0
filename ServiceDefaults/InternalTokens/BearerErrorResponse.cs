using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// RFC 6750 §3 error responses: the <c>WWW-Authenticate: Bearer</c> challenge (with no error code
/// when no credentials were sent) and a JSON body <c>{"error","error_description"}</c>, not cached.
/// </summary>
internal static class BearerErrorResponse
{
    public const string MissingToken = "missing_token";
    public const string InvalidToken = "invalid_token";
    public const string InvalidRequest = "invalid_request";
    public const string InsufficientScope = "insufficient_scope";
    public const string AccessDenied = "access_denied";

    public static Task WriteAsync(HttpResponse response, int statusCode, string error, string description, string? challenge)
    {
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        if (challenge is not null)
        {
            response.Headers.Append(HeaderNames.WWWAuthenticate, challenge);
        }

        response.ContentType = "application/json; charset=utf-8";
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }

    /// <summary><c>Bearer error="…", error_description="…"</c>, with every quoted value sanitised.</summary>
    public static string Challenge(string error, string? description = null, string? scope = null)
    {
        var builder = new StringBuilder("Bearer error=\"").Append(Quote(error)).Append('"');
        if (description is not null)
        {
            builder.Append(", error_description=\"").Append(Quote(description)).Append('"');
        }

        if (scope is not null)
        {
            builder.Append(", scope=\"").Append(Quote(scope)).Append('"');
        }

        return builder.ToString();
    }

    // RFC 6750 §3: error, error_description and scope values exclude '"' and '\' and use %x20-7E only.
    private static string Quote(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_';
            }
        });
}
