using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace Reference.Gateway.Authentication;

/// <summary>
/// Writes the gateway's authentication errors: RFC 6750 §3 <c>WWW-Authenticate</c> challenges and a JSON
/// <c>{"error","error_description"}</c> body, never cached. Descriptions are fixed texts (no token content),
/// so they are safe inside the quoted challenge parameters.
/// </summary>
internal static class AuthenticationErrors
{
    public const string MissingToken = "missing_token";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>No credentials: a bare challenge, with no error code (RFC 6750 §3.1).</summary>
    public static Task WriteMissingTokenAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, "Bearer", MissingToken, "The request has no bearer token in the Authorization header.");

    public static Task WriteInvalidRequestAsync(HttpContext context, string description) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, Challenge(InvalidRequest, description), InvalidRequest, description);

    public static Task WriteInvalidTokenAsync(HttpContext context, string description) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, Challenge(InvalidToken, description), InvalidToken, description);

    public static Task WriteInsufficientScopeAsync(HttpContext context, IReadOnlyList<string> requiredScopes)
    {
        var scope = string.Join(' ', requiredScopes);
        return WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            $"Bearer error=\"{InsufficientScope}\", scope=\"{scope}\"",
            InsufficientScope,
            $"The token lacks a required scope: {scope}.");
    }

    private static string Challenge(string error, string description) =>
        $"Bearer error=\"{error}\", error_description=\"{description}\"";

    private static Task WriteAsync(HttpContext context, int status, string challenge, string error, string description)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.WWWAuthenticate = challenge;
        response.Headers.CacheControl = "no-store";
        response.Headers[HeaderNames.Pragma] = "no-cache";
        return response.WriteAsJsonAsync(new ErrorBody(error, description), context.RequestAborted);
    }

    private sealed record ErrorBody(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string ErrorDescription);
}
