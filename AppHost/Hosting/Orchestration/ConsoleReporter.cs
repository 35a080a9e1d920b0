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
        try
        {
            await foreach (var snapshot in notifications.WatchAsync(cancellationToken))
            {
                if (snapshot.ResourceType == "Parameter")
                {
                    continue;
                }

                output($"[apphost] {snapshot.Name}: {snapshot.State}{Health(snapshot)}{Detail(snapshot)}");
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

    private static string Health(ResourceSnapshot snapshot) =>
        snapshot.State == KnownResourceState.Running ? $" ({snapshot.Health})" : "";

    private static string Detail(ResourceSnapshot snapshot) =>
        snapshot.ExitCode is { } code ? $" with exit code {code}" : snapshot.Message is { } message ? $": {message}" : "";
}
