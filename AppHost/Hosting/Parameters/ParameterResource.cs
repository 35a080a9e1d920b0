using System.Security.Cryptography;

namespace Reference.AppHost.Hosting;

/// <summary>
/// A value the application is configured with: from configuration <c>Parameters:{name}</c> when set,
/// otherwise a random value generated for this run (dev-only convenience: nothing is stored).
/// </summary>
public sealed class ParameterResource : Resource
{
    private readonly string _value;

    internal ParameterResource(string name, string? configuredValue, bool secret)
        : base(name)
    {
        Secret = secret;
        _value = string.IsNullOrEmpty(configuredValue) ? GenerateValue() : configuredValue;
    }

    /// <summary>Whether the value is a secret (never shown in the resource table or logs).</summary>
    public bool Secret { get; }

    /// <summary>The value.</summary>
    public string Value
    {
        get
        {
            ReadObserver.Value?.Invoke(this);
            return _value;
        }
    }

    /// <summary>
    /// Publish mode: told of every read of a parameter's value while an environment value is computed, so
    /// that values derived from a secret are written as placeholders, never as the value.
    /// </summary>
    internal static AsyncLocal<Action<ParameterResource>?> ReadObserver { get; } = new();

    /// <inheritdoc />
    public override string ResourceType => "Parameter";

    private static string GenerateValue() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
