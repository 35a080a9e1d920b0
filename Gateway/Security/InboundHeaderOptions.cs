using Microsoft.Extensions.Options;

namespace Reference.Gateway.Security;

/// <summary>
/// Identity headers a client must never be able to set (section <c>Gateway:Security:InboundHeaders</c>).
/// They are removed from every inbound request, in every letter case and every duplicate, before routing.
/// </summary>
internal sealed class InboundHeaderOptions
{
    public const string SectionName = "Gateway:Security:InboundHeaders";

    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "X-User-Id", "X-User-Email", "X-User-Roles", "X-Tenant-Id", "X-Org-Id", "X-Token-Issuer",
        "X-Token-Scopes", "X-Token-Expires", "X-Internal-Token",
    ];

    /// <summary>More header names to strip, on top of <see cref="DefaultHeaders"/>.</summary>
    public IList<string> AdditionalHeaders { get; } = [];

    public IReadOnlyList<string> AllHeaders() =>
        [.. DefaultHeaders.Concat(AdditionalHeaders).Distinct(StringComparer.OrdinalIgnoreCase)];
}

internal sealed class InboundHeaderOptionsValidator : IValidateOptions<InboundHeaderOptions>
{
    public ValidateOptionsResult Validate(string? name, InboundHeaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.AdditionalHeaders.Count; i++)
        {
            var header = options.AdditionalHeaders[i];
            if (string.IsNullOrEmpty(header) || !header.All(IsTokenChar))
            {
                failures.Add($"{InboundHeaderOptions.SectionName}:AdditionalHeaders:{i} '{header}' is not a valid HTTP header name.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
