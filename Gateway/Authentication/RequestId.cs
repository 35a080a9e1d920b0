using System.Buffers;
using System.Diagnostics;

namespace Reference.Gateway.Authentication;

/// <summary>
/// The request id carried by every error response: the client's <c>X-Request-Id</c> when it is well-formed
/// (1-128 characters of letters, digits and <c>-_.:</c>), else the W3C trace id, else the connection's trace identifier.
/// </summary>
internal static class RequestId
{
    public const string HeaderName = "X-Request-Id";

    private const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    public static string Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = context.Request.Headers[HeaderName];
        if (values.Count == 1 && IsWellFormed(values[0]))
        {
            return values[0]!;
        }

        return Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? activity.TraceId.ToHexString()
            : context.TraceIdentifier;
    }

    public static bool IsWellFormed(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);
}
