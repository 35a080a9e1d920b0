using Microsoft.Extensions.Logging;

namespace Reference.ServiceDefaults.InternalTokens;

internal static partial class InternalTokenLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Internal token {TokenHash} rejected: {Reason}")]
    public static partial void TokenRejected(ILogger logger, TokenHash tokenHash, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Fetched {KeyCount} internal-token signing keys from {JwksUri}")]
    public static partial void KeysFetched(ILogger logger, int keyCount, Uri jwksUri);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Fetching internal-token signing keys from {JwksUri} failed; keeping {KeyCount} cached keys")]
    public static partial void KeysFetchFailed(ILogger logger, Exception exception, Uri jwksUri, int keyCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Ignored a key in the internal JWKS: {Reason}")]
    public static partial void KeyIgnored(ILogger logger, string reason);
}
