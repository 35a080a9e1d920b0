namespace Reference.IdentityProvider.Options;

/// <summary>Configuration section <c>IdentityProvider:KeyRotation</c>: when signing keys are replaced.</summary>
/// <remarks>
/// A key is created <see cref="PublishAhead"/> before it starts signing, so every JWKS cache learns it before the
/// first token it signs arrives; it signs for <see cref="RotationInterval"/>; after its successor activates it
/// stays published for <see cref="RetainAfterRetirement"/>, so every token it signed still validates until it
/// expires; then it is deleted.
/// </remarks>
internal sealed class KeyRotationOptions
{
    /// <summary>Clock skew receivers are assumed to tolerate; part of the default retention.</summary>
    public static readonly TimeSpan ReceiverClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>How long a key signs before its successor takes over.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long before activation the next key appears in the JWKS (longer than any JWKS cache lifetime).</summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a retired key stays published. Default: the longest configured token lifetime plus
    /// <see cref="ReceiverClockSkew"/>; a shorter value is refused at start.</summary>
    public TimeSpan? RetainAfterRetirement { get; set; }

    /// <summary>How often each replica checks whether a key is due or expired, and re-reads keys another replica wrote.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The retention actually applied.</summary>
    public static TimeSpan EffectiveRetention(IdentityProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.KeyRotation.RetainAfterRetirement ?? LongestTokenLifetime(options) + ReceiverClockSkew;
    }

    /// <summary>The longest lifetime a token signed by the IdentityProvider can have (access tokens, ID tokens).</summary>
    public static TimeSpan LongestTokenLifetime(IdentityProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var longest = options.IdTokenLifetime > options.AccessTokenLifetime ? options.IdTokenLifetime : options.AccessTokenLifetime;
        foreach (var client in options.Clients.Values)
        {
            if (client.AccessTokenLifetime is { } lifetime && lifetime > longest)
            {
                longest = lifetime;
            }
        }

        return longest;
    }
}
