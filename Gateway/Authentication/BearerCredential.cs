using Microsoft.Extensions.Primitives;

namespace Reference.Gateway.Authentication;

internal enum BearerCredentialStatus
{
    Present,
    Missing,
    InvalidRequest,
}

internal readonly record struct BearerCredential(BearerCredentialStatus Status, string? Token, string? Problem)
{
    private const string Scheme = "Bearer";

    /// <summary>
    /// Reads the bearer token from the Authorization header, the only place it is accepted (RFC 6750 §2.1).
    /// A token in the query string (§2.3), several Authorization headers or an empty Bearer credential are
    /// an <c>invalid_request</c>; no Authorization header, or another scheme, is no credentials at all.
    /// </summary>
    public static BearerCredential Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Read by the authentication stage and again by the scheme: parse (and copy the token out of the header) once.
        var features = request.HttpContext.Features;
        if (features.Get<ParsedCredential>() is { } parsed)
        {
            return parsed.Value;
        }

        var credential = Parse(request);
        features.Set(new ParsedCredential(credential));
        return credential;
    }

    private static BearerCredential Parse(HttpRequest request)
    {
        if (request.Query.ContainsKey("access_token"))
        {
            return Invalid("The access token must be sent in the Authorization header only.");
        }

        StringValues values = request.Headers.Authorization;
        if (values.Count > 1)
        {
            return Invalid("The request carries more than one Authorization header.");
        }

        var value = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(value))
        {
            return new BearerCredential(BearerCredentialStatus.Missing, null, null);
        }

        if (string.Equals(value.TrimEnd(), Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid("The Bearer credentials are empty.");
        }

        if (value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value[Scheme.Length] != ' ')
        {
            return new BearerCredential(BearerCredentialStatus.Missing, null, null);
        }

        var token = value[(Scheme.Length + 1)..].TrimStart(' ');
        return token.Length == 0
            ? Invalid("The Bearer credentials are empty.")
            : new BearerCredential(BearerCredentialStatus.Present, token, null);
    }

    private static BearerCredential Invalid(string problem) => new(BearerCredentialStatus.InvalidRequest, null, problem);

    private sealed class ParsedCredential(BearerCredential value)
    {
        public BearerCredential Value { get; } = value;
    }
}
