namespace Reference.IdentityProvider.Keys;

internal static partial class KeysLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Loaded {Algorithm} signing key {KeyId} from {Path}")]
    public static partial void KeyLoaded(ILogger logger, string algorithm, string keyId, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Created {Algorithm} signing key {KeyId} at {Path}. Generated keys are a development convenience; production keys belong in a protected store.")]
    public static partial void KeyCreated(ILogger logger, string algorithm, string keyId, string path);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Another instance created the {Algorithm} signing key at {Path} first; using its key")]
    public static partial void KeyCreationRaceLost(ILogger logger, string algorithm, string path);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Deleted retired {Algorithm} signing key {KeyId} ({Path}): every token it signed has expired")]
    public static partial void KeyDeleted(ILogger logger, string algorithm, string keyId, string path);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Rotation: new {Algorithm} signing key {KeyId} (generation {Generation}) published now, signs from {ActivatesAt:O}")]
    public static partial void KeyRotated(ILogger logger, string algorithm, string keyId, int generation, DateTimeOffset activatesAt);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Signing-key rotation check failed; will retry at the next interval")]
    public static partial void RotationFailed(ILogger logger, Exception exception);
}
