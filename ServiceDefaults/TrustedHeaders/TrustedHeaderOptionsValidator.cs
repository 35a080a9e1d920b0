using System.Net;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.TrustedHeaders;

internal sealed class TrustedHeaderOptionsValidator : IValidateOptions<TrustedHeaderOptions>
{
    private const string Section = TrustedHeaderOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TrustedHeaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.GatewayNetworks.Count == 0 && options.GatewayProxies.Count == 0)
        {
            failures.Add($"{Section}:GatewayNetworks (or {Section}:GatewayProxies) is required: identity headers are trusted only from the gateway's network.");
        }

        for (var i = 0; i < options.GatewayNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.GatewayNetworks[i], out _))
            {
                failures.Add($"{Section}:GatewayNetworks:{i} ('{options.GatewayNetworks[i]}') is not a CIDR range such as 10.0.0.0/8.");
            }
        }

        for (var i = 0; i < options.GatewayProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.GatewayProxies[i], out _))
            {
                failures.Add($"{Section}:GatewayProxies:{i} ('{options.GatewayProxies[i]}') is not an IP address.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
