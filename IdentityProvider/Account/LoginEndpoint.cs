using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.RateLimiting;
using Reference.IdentityProvider.Sessions;
using Reference.IdentityProvider.Stores.Users;
using Reference.Redis;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.IdentityProvider.Account;

/// <summary>
/// <c>GET/POST /account/login</c>: a username/password form with antiforgery. Every failure (unknown user, wrong
/// password, disabled user or tenant, locked out) shows the same message with the same status, after the same
/// PBKDF2 work, so neither the page nor its timing reveals which usernames exist. Attempts are rate limited per client
/// IP and per normalised username, and failures lock both (<see cref="LoginThrottle"/>): a limited or locked attempt
/// gets one fixed 429 page with <c>Retry-After</c>, before any password check. Success starts a new IdP session
/// (new id every time: no fixation) and returns to a local <c>returnUrl</c> only.
/// </summary>
internal sealed class LoginEndpoint(
    IAntiforgery antiforgery,
    ConfigurationUserStore users,
    LoginThrottle throttle,
    ISessionStore sessions,
    TimeProvider timeProvider,
    ILogger<LoginEndpoint> logger)
{
    public const string GenericFailure = "Invalid username or password.";
    private const int MaxUsernameLength = 256;

    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(LoginEndpoint));
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            var returnUrl = request.Query["returnUrl"].Count == 1 ? request.Query["returnUrl"].ToString() : null;
            return Form(context, LocalUrl.IsLocal(returnUrl) ? returnUrl : null, username: null, error: null);
        }

        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return HtmlResult.Error("Bad request", "The login form must be posted.", StatusCodes.Status400BadRequest);
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            AccountLog.AntiforgeryRejected(logger, EndpointPaths.Login);
            return HtmlResult.Error("Bad request", "The form has expired or was not sent by this site. Go back, reload the page and try again.", StatusCodes.Status400BadRequest);
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var postedReturnUrl = form["returnUrl"].ToString();
        var safeReturnUrl = LocalUrl.IsLocal(postedReturnUrl) ? postedReturnUrl : null;
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        if (username.Trim().Length is 0 or > MaxUsernameLength || password.Length is 0 or > PasswordHasher.MaxPasswordLength)
        {
            return Form(context, safeReturnUrl, username.Length <= MaxUsernameLength ? username : null, GenericFailure);
        }

        try
        {
            return await SignInAsync(context, activity, username, password, safeReturnUrl);
        }
        catch (RedisException ex)
        {
            AccountLog.StoreUnavailable(logger, "login", ex);
            activity?.SetStatus(ActivityStatusCode.Error, "store_unavailable");
            return HtmlResult.Unavailable();
        }
    }

    private async Task<IResult> SignInAsync(HttpContext context, Activity? activity, string username, string password, string? returnUrl)
    {
        var cancellationToken = context.RequestAborted;
        var normalized = ConfigurationUserStore.Normalize(username);
        var usernameHash = LoginThrottle.Hash(normalized)[..12];
        var ip = ClientAddress.PartitionKey(context);

        var attempt = await throttle.AcquireAttemptAsync(ip, normalized, cancellationToken);
        if (!attempt.IsAllowed)
        {
            return Refused(activity, attempt.IsUnavailable, attempt.RetryAfter, usernameHash, attempt.DeniedBy ?? "rate_limited");
        }

        var lockout = await throttle.GetLockoutAsync(ip, normalized, cancellationToken);
        if (lockout.IsLocked)
        {
            return Refused(activity, lockout.IsUnavailable, lockout.Remaining(timeProvider.GetUtcNow()), usernameHash, "locked_out");
        }

        var user = await users.FindByUsernameAsync(normalized, cancellationToken);
        var storedHash = user is null ? null : users.GetPasswordHash(user);

        // Always one PBKDF2 verification, against a dummy hash when there is nothing real to compare with.
        var passwordMatches = PasswordHasher.Verify(password, storedHash ?? users.DummyHash) && storedHash is not null;
        var failure = user is null ? "unknown_user"
            : storedHash is null ? "no_password"
            : !passwordMatches ? "wrong_password"
            : !user.IsActive ? "disabled"
            : null;

        if (failure is not null)
        {
            AccountLog.LoginFailed(logger, usernameHash, failure);
            activity?.SetStatus(ActivityStatusCode.Error, "login_failed");
            var (byIp, byUsername) = await throttle.RecordFailureAsync(ip, normalized, cancellationToken);
            if (byUsername.LockedByThisFailure)
            {
                AccountLog.LockedOut(logger, usernameHash, byUsername.LockedUntil ?? timeProvider.GetUtcNow());
            }

            if (byIp.LockedByThisFailure)
            {
                AccountLog.AddressLockedOut(logger, ip, byIp.LockedUntil ?? timeProvider.GetUtcNow());
            }

            return Form(context, returnUrl, username, GenericFailure);
        }

        await throttle.ResetUsernameAsync(normalized, cancellationToken);
        if (SessionCookie.Read(context.Request) is { } previous)
        {
            await sessions.DeleteAsync(previous, cancellationToken);
        }

        var session = await sessions.CreateAsync(user!.SubjectId, timeProvider.GetUtcNow(), cancellationToken);
        SessionCookie.Write(context, session);
        var sessionHash = ShortHash(session.Id);
        AccountLog.LoginSucceeded(logger, user.SubjectId, sessionHash);

        return returnUrl is not null
            ? new BrowserRedirectResult(returnUrl)
            : new HtmlResult("Signed in", $"<p>You are signed in as {HtmlResult.Encode(user.Name ?? user.Username)}.</p>");
    }

    private IResult Refused(Activity? activity, bool unavailable, TimeSpan retryAfter, string usernameHash, string reason)
    {
        AccountLog.LoginFailed(logger, usernameHash, reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        return unavailable ? HtmlResult.Unavailable() : new LoginRateLimitedResult(retryAfter);
    }

    private HtmlResult Form(HttpContext context, string? returnUrl, string? username, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var body = new StringBuilder();
        if (error is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(HtmlResult.Encode(error)).Append("</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(EndpointPaths.Login).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(HtmlResult.Encode(tokens.FormFieldName)).Append("\" value=\"").Append(HtmlResult.Encode(tokens.RequestToken)).Append("\">");
        if (returnUrl is not null)
        {
            body.Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(HtmlResult.Encode(returnUrl)).Append("\">");
        }

        body.Append("<label for=\"username\">Username</label>")
            .Append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required value=\"").Append(HtmlResult.Encode(username)).Append("\">")
            .Append("<label for=\"password\">Password</label>")
            .Append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>")
            .Append("<button type=\"submit\">Sign in</button></form>");
        return new HtmlResult("Sign in", body.ToString());
    }

    public static string ShortHash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];
}
