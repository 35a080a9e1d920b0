namespace Reference.IdentityProvider.Stores.ReferenceTokens;

/// <summary>A reference (opaque) access token's contents: the claims a JWT would carry, as a JSON object.</summary>
internal sealed record ReferenceToken(string ClientId, string TokenId, DateTimeOffset ExpiresAt, string ClaimsJson);
