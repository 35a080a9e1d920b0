using System.Globalization;
using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Propagation.Headers;

/// <summary>
/// Headers mode (trusted networks only): the identity as headers built from the validated caller, the
/// Authorization header removed. A value that cannot travel safely in a header (controls, non-ASCII) is left out.
/// </summary>
internal sealed class TrustedHeadersRequestTransform(IReadOnlyList<string> routeScopes) : RequestTransform
{
    public const string UserId = "X-User-Id";
    public const string UserEmail = "X-User-Email";
    public const string UserRoles = "X-User-Roles";
    public const string TenantId = "X-Tenant-Id";
    public const string TokenScopes = "X-Token-Scopes";
    public const string TokenExpires = "X-Token-Expires";

    private static readonly string[] IdentityHeaders = [UserId, UserEmail, UserRoles, TenantId, TokenScopes, TokenExpires];

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.ProxyRequest.Headers;
        headers.Remove(HeaderNames.Authorization);
        foreach (var name in IdentityHeaders)
        {
            headers.Remove(name);
        }

        var caller = context.HttpContext.Features.Get<AuthenticatedCaller>()
            ?? throw new InvalidOperationException("No authenticated caller on a route that requires one; refusing to forward.");
        Set(headers, UserId, caller.Subject);
        Set(headers, UserEmail, caller.Email);
        Set(headers, UserRoles, caller.Roles.Count == 0 ? null : string.Join(',', caller.Roles));
        Set(headers, TenantId, caller.TenantId);
        Set(headers, TokenScopes, string.Join(' ', PropagatedScopes.For(caller, routeScopes)));
        Set(headers, TokenExpires, caller.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return ValueTask.CompletedTask;
    }

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value.All(c => c is >= '\x20' and <= '\x7E'))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
