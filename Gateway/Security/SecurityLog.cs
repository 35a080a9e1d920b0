namespace Reference.Gateway.Security;

/// <summary>Ingress hardening log messages (event ids 2300-2399).</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Removed inbound identity header {HeaderName}: clients may not set it.")]
    public static partial void HeaderStripped(ILogger logger, string headerName);
}
