namespace Reference.IdentityProvider.Sessions;

/// <summary>
/// The IdP session cookie: <c>__Host-</c> prefix (no Domain, Path=/), HttpOnly, SameSite=Lax (the authorization
/// request arrives as a top-level navigation from the client's site), and always Secure: user agents (browsers,
/// curl) drop a <c>__Host-</c> cookie without it. Over plain http this still works on <c>localhost</c>, which
/// browsers and curl treat as a secure origin; any other plain-http host cannot keep an IdP session, by design.
/// </summary>
internal static class SessionCookie
{
    public const string Name = "__Host-idp.session";

    public static string? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(Name, out var value) && RedisSessionStore.IsWellFormed(value) ? value : null;
    }

    public static void Write(HttpContext context, IdpSession session)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(session);
        context.Response.Cookies.Append(Name, session.Id, Options(context, session.ExpiresAt));
    }

    public static void Clear(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name, Options(context, expires: null));
    }

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
