using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace Reference.Gateway.Authentication;

/// <summary>
/// Writes every error the gateway answers itself, in one shape: a JSON <c>{"error","error_description","request_id"}</c>
/// body, the request id also in the <c>X-Request-Id</c> header, never cached, and an RFC 6750 §3
/// <c>WWW-Authenticate</c> challenge on 401 and 403. Descriptions are fixed texts (no token content), so they are
/// safe inside the quoted challenge parameters.
/// </summary>
internal static class AuthenticationErrors
{
    public const string MissingToken = "missing_token";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary>No credentials: a bare challenge, with no error code (RFC 6750 §3.1); the body still says why.</summary>
    public static Task WriteMissingTokenAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, "Bearer", MissingToken, "The request carries no credentials this route accepts.");

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

    /// <summary>
    /// Any other error: 401 and 403 carry a Bearer challenge with the error code; other statuses (400, 404, 503)
    /// carry none (400 <c>invalid_request</c> keeps its RFC 6750 challenge through <see cref="WriteInvalidRequestAsync"/>).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteAsync(context, status, status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden ? Challenge(error, description) : null, error, description);

    private static string Challenge(string error, string description) =>
        $"Bearer error=\"{error}\", error_description=\"{description}\"";

    private static Task WriteAsync(HttpContext context, int status, string? challenge, string error, string description)
    {
        var requestId = RequestId.Get(context);
        var response = context.Response;
        response.StatusCode = status;
        if (challenge is not null)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        response.Headers.CacheControl = "no-store";
        response.Headers[HeaderNames.Pragma] = "no-cache";
        response.Headers[RequestId.HeaderName] = requestId;
        return response.WriteAsJsonAsync(new ErrorBody(error, description, requestId), context.RequestAborted);
    }

    private sealed record ErrorBody(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string ErrorDescription,
        [property: JsonPropertyName("request_id")] string RequestId);
}
