namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>Stop, start and restart of one resource at a time (the dashboard's actions).</summary>
internal interface IResourceControl
{
    /// <summary>Starts a resource that is not running (exited, failed or stopped); false when it is running or unknown.</summary>
    bool StartResource(string resourceName);

    /// <summary>Stops a running resource (SIGTERM, kill after the shutdown timeout); false when it is not running.</summary>
    Task<bool> StopResourceAsync(string resourceName);

    /// <summary>Stops the resource if it runs, then starts it.</summary>
    Task<bool> RestartResourceAsync(string resourceName);
}
