namespace Reference.IdentityProvider.Stores.AuthorizationCodes;

/// <summary>Single-use authorization codes in Redis.</summary>
internal interface IAuthorizationCodeStore
{
    /// <summary>Stores the code and returns its handle (256 random bits, base64url); only the handle's hash is a key.</summary>
    ValueTask<string> CreateAsync(AuthorizationCode code, CancellationToken cancellationToken);

    /// <summary>
    /// Redeems the code exactly once (atomic across replicas). A second redemption of the same handle reports a replay,
    /// so that the caller can revoke what the first redemption issued (RFC 6749 §4.1.2, RFC 9700 §4.5).
    /// </summary>
    ValueTask<AuthorizationCodeRedemption> RedeemAsync(string handle, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IAuthorizationCodeStore.RedeemAsync"/>.</summary>
internal sealed record AuthorizationCodeRedemption(AuthorizationCodeRedemptionStatus Status, AuthorizationCode? Code);

internal enum AuthorizationCodeRedemptionStatus
{
    /// <summary>First redemption: <see cref="AuthorizationCodeRedemption.Code"/> is set.</summary>
    Redeemed,

    /// <summary>Already redeemed: <see cref="AuthorizationCodeRedemption.Code"/> is the original, for revocation.</summary>
    Replayed,

    /// <summary>Unknown or expired.</summary>
    NotFound,
}
