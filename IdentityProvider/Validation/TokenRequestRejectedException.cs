namespace Reference.IdentityProvider.Validation;

/// <summary>
/// A grant that passed validation but cannot be completed when its tokens are recorded (a refresh token reused
/// concurrently, an authorization code replayed between redemption and recording). The token endpoint answers it as
/// an RFC 6749 §5.2 error; nothing minted before it is ever returned.
/// </summary>
internal sealed class TokenRequestRejectedException : Exception
{
    public TokenRequestRejectedException()
    {
        Error = OAuthConstants.Errors.InvalidGrant;
    }

    public TokenRequestRejectedException(string message)
        : base(message)
    {
        Error = OAuthConstants.Errors.InvalidGrant;
    }

    public TokenRequestRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = OAuthConstants.Errors.InvalidGrant;
    }

    public TokenRequestRejectedException(string error, string message)
        : base(message)
    {
        Error = error;
    }

    public string Error { get; }
}
