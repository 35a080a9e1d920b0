namespace Reference.Gateway.Authentication.Jwt;

/// <summary>JWT validation and JWKS log messages (event ids 2100-2199).</summary>
internal static partial class JwtLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Issuer {IssuerName}: loaded {KeyCount} signing keys, fresh for {Lifetime}.")]
    public static partial void KeysRefreshed(ILogger logger, int keyCount, string issuerName, TimeSpan lifetime);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Issuer {IssuerName}: could not refresh the signing keys; the last good keys stay in use (stale for {Staleness}).")]
    public static partial void RefreshFailed(ILogger logger, string issuerName, TimeSpan staleness, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Issuer {IssuerName}: unknown kid, but a key refresh ran recently; not refreshing again yet.")]
    public static partial void UnknownKeyRefreshThrottled(ILogger logger, string issuerName);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Issuer {IssuerName}: the JWKS lists one kid for several keys; those keys are ignored.")]
    public static partial void DuplicateKeyId(ILogger logger, string issuerName);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Issuer {IssuerName}: could not load the signing keys; its tokens are rejected until they load.")]
    public static partial void InitialLoadFailed(ILogger logger, string issuerName, Exception exception);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "Issuer {IssuerName}: the signing keys are {Staleness} past their lifetime, beyond the maximum stale age; its tokens are rejected.")]
    public static partial void KeysExpired(ILogger logger, string issuerName, TimeSpan staleness, Exception exception);
}
