using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Revocation;

internal sealed class RevocationOptionsValidator : IValidateOptions<RevocationOptions>
{
    private const string Section = RevocationOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RevocationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Channel))
        {
            failures.Add($"{Section}:Channel is required.");
        }

        if (options.MaxEntries is < 100 or > 10_000_000)
        {
            failures.Add($"{Section}:MaxEntries must be between 100 and 10000000.");
        }

        if (options.FailClosedAfter is { } after && (after < TimeSpan.Zero || after > TimeSpan.FromDays(1)))
        {
            failures.Add($"{Section}:FailClosedAfter must be between 00:00:00 and 1.00:00:00 (or unset).");
        }

        if (options.RetryDelay < TimeSpan.FromMilliseconds(10) || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:RetryDelay must be between 00:00:00.010 and 00:01:00.");
        }

        if (options.ScanPageSize is < 10 or > 100_000)
        {
            failures.Add($"{Section}:ScanPageSize must be between 10 and 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
