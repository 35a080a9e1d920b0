namespace Reference.Redis;

/// <summary>Placeholder until the RESP client lands (issue 3).</summary>
internal static class RedisPlaceholder
{
}
