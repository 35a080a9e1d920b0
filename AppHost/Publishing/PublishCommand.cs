namespace Reference.AppHost.Publishing;

/// <summary>
/// <c>dotnet run --project AppHost -- publish --output &lt;dir&gt;</c>: writes Kubernetes manifests for the model
/// Program.cs declares. Exit codes: 0 written (or help), 1 the model cannot be published or the output cannot be
/// written, 2 bad arguments. Nothing is written unless every manifest could be built.
/// </summary>
internal static class PublishCommand
{
    public const int Success = 0;

    public const int Failure = 1;

    public const int UsageError = 2;

    public const string DefaultDomain = "example.com";

    public const string Usage = """
        Usage: dotnet run --project AppHost -- publish --output <dir> [--domain <dns-suffix>]

        Writes Kubernetes manifests for the app model declared in AppHost/Program.cs:
          <dir>/base/                 every manifest and a kustomization.yaml (rewritten on every publish)
          <dir>/overlays/production/  an example overlay (written only when it does not exist yet)

        Options:
          -o, --output <dir>      where to write (created when missing)
          --domain <dns-suffix>   public host names are <resource>.<dns-suffix> (default: example.com)
          -h, --help              show this help

        Then: build the images (dotnet publish <project> -t:PublishContainer) and kubectl apply -k <dir>/overlays/production.
        See docs/kubernetes.md.
        """;

    public static async Task<int> RunAsync(DistributedApplication application, IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!PublishArguments.TryParse(arguments, out var parsed, out var parseError))
        {
            await error.WriteLineAsync($"publish: {parseError}");
            await error.WriteLineAsync("Run 'publish --help' for usage.");
            return UsageError;
        }

        if (parsed.Help)
        {
            await output.WriteLineAsync(Usage);
            return Success;
        }

        IReadOnlyDictionary<string, string> files;
        try
        {
            files = KubernetesPublisher.Publish(application.Resources, parsed.Domain);
        }
        catch (PublishException ex)
        {
            await error.WriteLineAsync($"publish: the model cannot be published: {ex.Message}");
            return Failure;
        }

        try
        {
            var written = await ManifestOutput.WriteAsync(parsed.OutputDirectory!, files, cancellationToken);
            await output.WriteLineAsync($"publish: wrote {written.Count} files to {Path.GetFullPath(parsed.OutputDirectory!)}");
            foreach (var path in written)
            {
                await output.WriteLineAsync($"  {path}");
            }

            if (files.Keys.Any(k => k.StartsWith(KubernetesPublisher.ProductionOverlayDirectory + "/", StringComparison.Ordinal)) && !written.Any(k => k.StartsWith(KubernetesPublisher.ProductionOverlayDirectory + "/", StringComparison.Ordinal)))
            {
                await output.WriteLineAsync($"publish: kept the existing {KubernetesPublisher.ProductionOverlayDirectory} (delete it to get the example again)");
            }

            return Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"publish: cannot write to '{parsed.OutputDirectory}': {ex.Message}");
            return Failure;
        }
    }
}

/// <summary>The parsed <c>publish</c> arguments.</summary>
internal sealed record PublishArguments(string? OutputDirectory, string Domain, bool Help)
{
    public static bool TryParse(IReadOnlyList<string> arguments, out PublishArguments parsed, out string? error)
    {
        string? outputDirectory = null;
        var domain = PublishCommand.DefaultDomain;
        var help = false;
        parsed = new PublishArguments(null, domain, Help: false);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var (name, inlineValue) = argument.StartsWith("--", StringComparison.Ordinal) && argument.IndexOf('=', StringComparison.Ordinal) is > 2 and var equals
                ? (argument[..equals], argument[(equals + 1)..])
                : (argument, null);
            switch (name)
            {
                case "-h" or "--help" or "-?":
                    help = true;
                    break;
                case "-o" or "--output":
                    if (!TryValue(arguments, ref i, name, inlineValue, out outputDirectory, out error))
                    {
                        return false;
                    }

                    break;
                case "--domain":
                    if (!TryValue(arguments, ref i, name, inlineValue, out var value, out error))
                    {
                        return false;
                    }

                    if (Uri.CheckHostName(value) != UriHostNameType.Dns || value.Contains('/', StringComparison.Ordinal))
                    {
                        error = $"--domain must be a DNS name such as example.com (was '{value}').";
                        return false;
                    }

                    domain = value.ToLowerInvariant();
                    break;
                default:
                    error = argument.StartsWith('-') ? $"unknown option '{argument}'." : $"unexpected argument '{argument}'.";
                    return false;
            }
        }

        if (!help && outputDirectory is null)
        {
            error = "missing required option --output <dir>.";
            return false;
        }

        parsed = new PublishArguments(outputDirectory, domain, help);
        error = null;
        return true;
    }

    private static bool TryValue(IReadOnlyList<string> arguments, ref int index, string name, string? inlineValue, out string value, out string? error)
    {
        value = inlineValue ?? (index + 1 < arguments.Count && !arguments[index + 1].StartsWith('-') ? arguments[++index] : "");
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"option {name} needs a value.";
            return false;
        }

        error = null;
        return true;
    }
}
