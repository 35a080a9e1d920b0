using System.Diagnostics.CodeAnalysis;

namespace Reference.IdentityProvider.Validation;

internal sealed record TokenRequestValidationResult
{
    private TokenRequestValidationResult()
    {
    }

    public ValidatedTokenRequest? Request { get; private init; }

    public string? Error { get; private init; }

    public string? ErrorDescription { get; private init; }

    [MemberNotNullWhen(false, nameof(Request))]
    [MemberNotNullWhen(true, nameof(Error))]
    public bool IsError => Error is not null;

    public static TokenRequestValidationResult Success(ValidatedTokenRequest request) => new() { Request = request };

    public static TokenRequestValidationResult Failure(string error, string description) => new() { Error = error, ErrorDescription = description };
}
