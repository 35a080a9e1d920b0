namespace Reference.IdentityProvider.Endpoints;

internal static class EndpointPaths
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string Jwks = "/.well-known/jwks";
    public const string Token = "/connect/token";
}
