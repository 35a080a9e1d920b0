using System.Text;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>
/// Prints one line per state or health change, and the resource table when every resource is
/// running and healthy (and again after later changes), followed by the startup notes.
/// </summary>
internal sealed class ConsoleReporter(
    ResourceNotificationService notifications, IReadOnlyList<string> startupNotes, Action<string> output, Func<bool> isStopping)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wasAllReady = false;
        var notesPrinted = false;
        var lastPrinted = new Dictionary<string, (KnownResourceState, ResourceHealthStatus)>();
        try
        {
            await foreach (var snapshot in notifications.WatchAsync(cancellationToken))
            {
                if (snapshot.ResourceType == "Parameter")
                {
                    continue;
                }

                // URL and pid updates are in the table; a line is printed when the state or health changes.
                if (!lastPrinted.TryGetValue(snapshot.Name, out var last) || last != (snapshot.State, snapshot.Health))
                {
                    lastPrinted[snapshot.Name] = (snapshot.State, snapshot.Health);
                    output($"[apphost] {snapshot.Name}: {Describe(snapshot)}");
                }

                var processes = notifications.GetSnapshots().Where(s => s.ResourceType != "Parameter").ToList();
                var allReady = processes.All(s => s.IsReady);
                if (!isStopping() && ((allReady && !wasAllReady) || (wasAllReady && snapshot.IsTerminal)))
                {
                    output(FormatTable(processes));
                    if (!notesPrinted)
                    {
                        notesPrinted = true;
                        foreach (var note in startupNotes)
                        {
                            output(note);
                        }
                    }
                }

                wasAllReady = allReady;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    internal static string FormatTable(IReadOnlyList<ResourceSnapshot> snapshots)
    {
        var rows = snapshots.Select(s => new[] { s.Name, s.ResourceType, s.State.ToString(), s.Health.ToString(), string.Join(" ", s.Urls) }).ToList();
        string[] header = ["NAME", "TYPE", "STATE", "HEALTH", "URLS"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var table = new StringBuilder().AppendLine();
        foreach (var row in rows.Prepend(header))
        {
            table.Append("  ").AppendJoin("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).AppendLine();
        }

        return table.ToString().TrimEnd();
    }

    private static string Describe(ResourceSnapshot snapshot) => snapshot switch
    {
        { State: KnownResourceState.Waiting, Message: { } message } => message,
        { State: KnownResourceState.Running, Health: ResourceHealthStatus.Unknown } => "Running",
        { State: KnownResourceState.Running } => $"Running ({snapshot.Health})",
        { ExitCode: { } code } => $"{snapshot.State} with exit code {code}",
        { Message: { } message } => $"{snapshot.State}: {message}",
        _ => snapshot.State.ToString(),
    };
}
