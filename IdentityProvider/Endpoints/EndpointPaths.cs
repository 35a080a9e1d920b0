namespace Reference.IdentityProvider.Endpoints;

internal static class EndpointPaths
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string Jwks = "/.well-known/jwks";
    public const string Token = "/connect/token";
    public const string Authorize = "/connect/authorize";
    public const string UserInfo = "/connect/userinfo";
    public const string EndSession = "/connect/endsession";
    public const string Introspection = "/connect/introspect";
    public const string Revocation = "/connect/revocation";
    public const string SubjectRevocation = "/connect/revocation/subject";
    public const string Login = "/account/login";
    public const string Logout = "/account/logout";
}
