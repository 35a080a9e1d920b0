namespace Reference.Gateway.Authentication.Jwt;

/// <summary>JWT validation and JWKS log messages (event ids 2100-2199).</summary>
internal static partial class JwtLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Loaded {KeyCount} signing keys from the issuer's JWKS.")]
    public static partial void KeysRefreshed(ILogger logger, int keyCount);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Could not refresh the issuer's signing keys from {MetadataAddress}; the last good keys stay in use.")]
    public static partial void RefreshFailed(ILogger logger, Uri metadataAddress, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Unknown kid: a key refresh ran recently, not refreshing again yet.")]
    public static partial void UnknownKeyRefreshThrottled(ILogger logger);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "The issuer's JWKS lists one kid for several keys; those keys are ignored.")]
    public static partial void DuplicateKeyId(ILogger logger);
}
