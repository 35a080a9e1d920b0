using System.Globalization;
using System.Security.Cryptography;
using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting;

/// <summary>
/// A Redis-compatible server: <c>redis-server</c> when it is on PATH, otherwise Microsoft Garnet from
/// the repository's dotnet tool manifest (configuration <c>AppHost:Redis:Server</c> =
/// <c>auto</c> | <c>redis-server</c> | <c>garnet</c>). A random password is generated per run. redis-server keeps an
/// append-only file in a data folder of this run (<see cref="DataDirectory"/>), so a restart of the resource
/// (dashboard, crash, fault tests) keeps the data; a new AppHost run starts empty. Healthy when AUTH + PING succeed
/// over RESP.
/// </summary>
public sealed class RedisResource : ProcessResource
{
    /// <summary>The configuration key choosing the server implementation.</summary>
    public const string ServerConfigurationKey = "AppHost:Redis:Server";

    internal RedisResource(string name, int? port)
        : base(name)
    {
        // Per-run dev password; never logged.
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        AddEndpoint(new EndpointDefinition("tcp", "tcp", port, portEnvironmentVariable: null));
    }

    /// <summary>redis-server's data folder for this run (its append-only file), under the temp folder.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "reference-redis", Guid.NewGuid().ToString("N"));

    /// <summary>The password generated for this run.</summary>
    public string Password { get; }

    /// <summary>The server implementation that was launched (<c>redis-server</c> or <c>garnet</c>), once started.</summary>
    public string? Server { get; private set; }

    /// <inheritdoc />
    public override string ResourceType => "Redis";

    /// <summary>The connection string injected as <c>ConnectionStrings__{name}</c>: <c>127.0.0.1:{port},password={password}</c>.</summary>
    /// <exception cref="InvalidOperationException">The application has not allocated ports yet.</exception>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"{EndpointDefinition.Host}:{GetEndpointDefinition("tcp").GetPort(0)},password={Password}");

    internal override async Task<ProcessCommand> ResolveCommandAsync(LaunchContext context, CancellationToken cancellationToken)
    {
        var port = GetEndpointDefinition("tcp").GetPort(0).ToString(CultureInfo.InvariantCulture);
        var server = await RedisServerLocator.ResolveAsync(context, cancellationToken);
        Server = server.Kind;
        if (server.Kind == RedisServerLocator.RedisServer)
        {
            Directory.CreateDirectory(DataDirectory);
        }

        string[] args = server.Kind == RedisServerLocator.RedisServer
            ? [.. server.ArgumentsPrefix, "--bind", EndpointDefinition.Host, "--port", port, "--requirepass", Password,
                "--dir", DataDirectory, "--save", "", "--appendonly", "yes", "--protected-mode", "yes", "--daemonize", "no"]
            : [.. server.ArgumentsPrefix, "--bind", EndpointDefinition.Host, "--port", port, "--auth", "Password", "--password", Password, "--lua"];

        // Not our code, so it cannot watch the AppHost itself: the AppHost's watchdog wraps it.
        // Its working directory is a temp folder so nothing can land in the repository.
        return new ProcessCommand(server.FileName, args, Path.GetTempPath(), NeedsWatchdog: true)
        {
            Environment = server.Environment,
        };
    }

    internal override IHealthProbe CreateHealthProbe(HttpClient httpClient) =>
        new RedisHealthProbe(GetEndpointDefinition("tcp"), Password);
}
