namespace Reference.Redis.Connections;

/// <summary>
/// One command on its way: queued in the backlog, then written and waiting for its reply. Completed
/// exactly once, by its reply, a failure, a timeout or cancellation; a reply that arrives after a
/// timeout or cancellation is read and dropped, so the reply stream never shifts.
/// </summary>
internal sealed class PendingCommand : TaskCompletionSource<RedisResult>
{
    public PendingCommand(string command, RedisValue[] args, long deadline)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Command = command;
        Args = args;
        Deadline = deadline;
    }

    public string Command { get; }

    public RedisValue[] Args { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> after which the command times out.</summary>
    public long Deadline { get; }
}
