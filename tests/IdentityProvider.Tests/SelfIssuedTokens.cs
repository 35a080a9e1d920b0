using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.Users;
using Reference.IdentityProvider.Tokens;

namespace Reference.IdentityProvider.Tests;

/// <summary>Tokens signed with the IdP's own key (what the token endpoint will issue for users), and ID tokens
/// through <see cref="IIdTokenService"/>, for the browser endpoints' tests.</summary>
internal static class SelfIssuedTokens
{
    public static async Task<string> AccessTokenAsync(IdentityProviderFactory factory, string subject, string scope, string? jti = null, string typ = "at+jwt", SigningCredentials? credentials = null)
    {
        var key = await factory.Services.GetRequiredService<ISigningKeyRing>().GetSigningKeyAsync(SigningAlgorithms.RS256, CancellationToken.None);
        var now = factory.Time.GetUtcNow();
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IdentityProviderFactory.Issuer,
            Audience = "orders-api",
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(10).UtcDateTime,
            TokenType = typ,
            SigningCredentials = credentials ?? key.SigningCredentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["client_id"] = "demo-web",
                ["scope"] = scope,
                ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            },
        });
    }

    public static SigningCredentials ForeignCredentials() =>
        new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "foreign" }, SecurityAlgorithms.RsaSha256);

    public static async Task<string> IdTokenAsync(IdentityProviderFactory factory, string clientId, string username, string sessionId, IReadOnlyList<string>? scopes = null, string? nonce = "n-456", string? accessToken = null)
    {
        var client = (await factory.Services.GetRequiredService<IClientStore>().FindClientByIdAsync(clientId, CancellationToken.None))!;
        var user = (await factory.Services.GetRequiredService<IUserStore>().FindByUsernameAsync(username, CancellationToken.None))!;
        return await factory.Services.GetRequiredService<IIdTokenService>().CreateAsync(
            new IdTokenRequest(client, user, scopes ?? ["openid", "profile", "email"], nonce, factory.Time.GetUtcNow().AddMinutes(-1), sessionId, accessToken),
            CancellationToken.None);
    }

    public static async Task<JsonWebToken> ValidateAsync(IdentityProviderFactory factory, string token, string audience, string type)
    {
        var keys = await factory.Services.GetRequiredService<ISigningKeyRing>().GetPublishedKeysAsync(CancellationToken.None);
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = IdentityProviderFactory.Issuer,
            ValidAudience = audience,
            ValidTypes = [type],
            ValidAlgorithms = ["RS256"],
            IssuerSigningKeys = keys.Select(k => (SecurityKey)k.SecurityKey).ToList(),
            LifetimeValidator = (_, expires, _, _) => expires > now,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }
}
