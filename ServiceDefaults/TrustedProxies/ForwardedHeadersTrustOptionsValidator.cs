using System.Net;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.TrustedProxies;

internal sealed class ForwardedHeadersTrustOptionsValidator : IValidateOptions<ForwardedHeadersTrustOptions>
{
    private const string Section = ForwardedHeadersTrustOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, ForwardedHeadersTrustOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{Section}:KnownProxies:{i} ('{options.KnownProxies[i]}') is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"{Section}:KnownNetworks:{i} ('{options.KnownNetworks[i]}') is not a CIDR range such as 10.0.0.0/8.");
            }
        }

        if (options.ForwardLimit < 1)
        {
            failures.Add($"{Section}:ForwardLimit must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
