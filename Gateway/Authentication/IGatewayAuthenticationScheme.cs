namespace Reference.Gateway.Authentication;

/// <summary>
/// One way the gateway authenticates a request: <c>jwt</c> (inline validation), <c>introspection</c> (RFC 7662,
/// opaque tokens) or <c>session</c> (a Redis-backed cookie session). A route's policy names an ordered list of
/// schemes; the authentication middleware asks each, in order, whether the request carries its kind of credential,
/// and the first that does decides: its failure is the request's failure (no silent fall-through to a weaker scheme).
/// </summary>
internal interface IGatewayAuthenticationScheme
{
    /// <summary>The name used in the route metadata <c>Auth.Policy</c> (an ordered, space-separated list of names).</summary>
    string Name { get; }

    /// <summary>Whether the request carries this scheme's kind of credential. Cheap and side-effect free.</summary>
    bool CanHandle(HttpContext context);

    /// <summary>Authenticates the request; never writes the response body (the middleware writes every error).</summary>
    ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken);
}

/// <summary>A scheme's verdict: a caller, or a failure the middleware turns into the standard error response.</summary>
internal sealed record SchemeAuthenticationResult
{
    private SchemeAuthenticationResult()
    {
    }

    public AuthenticatedCaller? Caller { get; private init; }

    /// <summary>401, 403 or 503 (a dependency such as Redis or the introspection endpoint is unavailable).</summary>
    public int StatusCode { get; private init; }

    /// <summary>The RFC 6750 error code for the body and the challenge (<c>invalid_token</c>, …).</summary>
    public string? Error { get; private init; }

    /// <summary>A fixed text, never containing token content.</summary>
    public string? Description { get; private init; }

    /// <summary>The metric/log reason (<c>token_expired</c>, <c>unknown_signing_key</c>, <c>session_expired</c>, …).</summary>
    public string? Reason { get; private init; }

    public static SchemeAuthenticationResult Success(AuthenticatedCaller caller) => new() { Caller = caller };

    public static SchemeAuthenticationResult Failure(int statusCode, string error, string description, string reason) =>
        new() { StatusCode = statusCode, Error = error, Description = description, Reason = reason };
}
