namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>Internal-token log messages (event ids 2200-2299). Never a token or key material.</summary>
internal static partial class InternalTokenLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Generated a new internal signing key at {Path}.")]
    public static partial void KeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Another gateway created the internal signing key at {Path} first; using it.")]
    public static partial void LostCreationRace(ILogger logger, string path);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Internal tokens are signed with key {KeyId}.")]
    public static partial void KeyLoaded(ILogger logger, string keyId);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Internal signing key {KeyId} is published and signs new tokens from {ActivatesAt:O}; the previous key stays published until its tokens expire.")]
    public static partial void KeyRotated(ILogger logger, string keyId, DateTimeOffset activatesAt);
}
