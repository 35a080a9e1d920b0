using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Options;

/// <summary>Stops the process at start on bad configuration; every message names the configuration key.</summary>
internal sealed class IdentityProviderOptionsValidator : IValidateOptions<IdentityProviderOptions>
{
    private const string Section = IdentityProviderOptions.SectionName;

    /// <summary>Longest configurable lifetime: access tokens are bearer credentials and cannot be revoked here.</summary>
    private static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromDays(1);

    /// <summary>Exchanged tokens are downstream credentials: short-lived by design.</summary>
    private static readonly TimeSpan MaxExchangedTokenLifetime = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, IdentityProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        ValidateIssuer(options.Issuer, failures);
        ValidateLifetime(options.AccessTokenLifetime, $"{Section}:AccessTokenLifetime", failures);
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add($"{Section}:DataPath must not be empty.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Length > 64 || options.KeyPrefix.Any(c => c is <= ' ' or > '~'))
        {
            failures.Add($"{Section}:KeyPrefix must be 1 to 64 printable ASCII characters without spaces (e.g. 'idp:').");
        }

        ValidateLifetime(options.IdTokenLifetime, $"{Section}:IdTokenLifetime", failures);
        if (options.SessionLifetime < TimeSpan.FromMinutes(1) || options.SessionLifetime > TimeSpan.FromDays(30))
        {
            failures.Add($"{Section}:SessionLifetime must be between 00:01:00 and 30.00:00:00; it is {options.SessionLifetime:c}.");
        }

        if (options.MinimumPasswordHashIterations is < 1 or > Account.PasswordHasher.MaxIterations)
        {
            failures.Add($"{Section}:MinimumPasswordHashIterations must be between 1 and {Account.PasswordHasher.MaxIterations}.");
        }

        var knownScopes = ValidateApiResources(options, failures);
        knownScopes.UnionWith(OAuthConstants.IdentityScopes.All);
        ValidateTenants(options, failures);
        ValidateUsers(options, failures);
        ValidateClients(options, knownScopes, failures);
        ValidateKeyRotation(options, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateKeyRotation(IdentityProviderOptions options, List<string> failures)
    {
        const string Key = $"{Section}:KeyRotation";
        var rotation = options.KeyRotation;
        if (rotation.RotationInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Key}:RotationInterval must be at least 00:00:01; it is {rotation.RotationInterval:c}.");
        }

        if (rotation.PublishAhead <= TimeSpan.Zero || rotation.PublishAhead >= rotation.RotationInterval)
        {
            failures.Add($"{Key}:PublishAhead must be positive and shorter than {Key}:RotationInterval ({rotation.RotationInterval:c}); it is {rotation.PublishAhead:c}.");
        }

        if (rotation.CheckInterval < TimeSpan.FromSeconds(1) || rotation.CheckInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{Key}:CheckInterval must be between 00:00:01 and 01:00:00; it is {rotation.CheckInterval:c}.");
        }

        var longest = KeyRotationOptions.LongestTokenLifetime(options);
        if (rotation.RetainAfterRetirement is { } retention && retention < longest)
        {
            failures.Add($"{Key}:RetainAfterRetirement ({retention:c}) must be at least the longest token lifetime ({longest:c}): a retired key must stay published until every token it signed has expired.");
        }
    }

    private static void ValidateIssuer(string? issuer, List<string> failures)
    {
        const string Key = $"{Section}:Issuer";
        if (string.IsNullOrWhiteSpace(issuer))
        {
            failures.Add($"{Key} is required (an absolute http or https URL, e.g. https://identity.example.com).");
            return;
        }

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{Key} must be an absolute http or https URL; '{issuer}' is not.");
            return;
        }

        if (issuer.EndsWith('/'))
        {
            failures.Add($"{Key} must not end with a slash: tokens carry it verbatim and receivers compare it exactly.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || issuer.Contains('?', StringComparison.Ordinal) || issuer.Contains('#', StringComparison.Ordinal))
        {
            failures.Add($"{Key} must not contain a query or fragment (RFC 8414 §2).");
        }

        if (uri.UserInfo.Length > 0)
        {
            failures.Add($"{Key} must not contain user information.");
        }
    }

    private static void ValidateLifetime(TimeSpan lifetime, string key, List<string> failures)
    {
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > MaxAccessTokenLifetime)
        {
            failures.Add($"{key} must be between 00:00:01 and {MaxAccessTokenLifetime:c}; it is {lifetime:c}.");
        }
        else if (lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{key} must be a whole number of seconds (JWT times are in seconds); it is {lifetime:c}.");
        }
    }

    private static HashSet<string> ValidateApiResources(IdentityProviderOptions options, List<string> failures)
    {
        var knownScopes = new HashSet<string>(StringComparer.Ordinal);
        if (options.ApiResources.Count == 0)
        {
            failures.Add($"{Section}:ApiResources must define at least one API resource.");
        }

        foreach (var (name, resource) in options.ApiResources)
        {
            var key = $"{Section}:ApiResources:{name}";
            if (!ScopeSyntax.IsValidToken(name))
            {
                failures.Add($"{key}: the resource name must be non-empty printable ASCII without spaces or quotes.");
            }

            if (resource.Scopes.Count == 0)
            {
                failures.Add($"{key}:Scopes must list at least one scope.");
            }

            for (var i = 0; i < resource.Scopes.Count; i++)
            {
                var scope = resource.Scopes[i];
                if (!ScopeSyntax.IsValidToken(scope))
                {
                    failures.Add($"{key}:Scopes:{i} '{scope}' is not a valid scope token (RFC 6749 §3.3).");
                    continue;
                }

                knownScopes.Add(scope);
            }

            for (var i = 0; i < resource.SecretHashes.Count; i++)
            {
                if (!SecretHash.TryParse(resource.SecretHashes[i], out _))
                {
                    failures.Add($"{key}:SecretHashes:{i} is not in the form '{SecretHash.Sha256Prefix}<base64 of a 32-byte SHA-256>'.");
                }
            }

            if (resource.Uri is { } resourceUri && !Validation.TokenExchange.TokenExchangeGrantValidator.IsAbsoluteUriWithoutFragment(resourceUri))
            {
                failures.Add($"{key}:Uri '{resourceUri}' must be an absolute URI without a fragment (RFC 8707 §2).");
            }
            else if (resource.Uri is not null && options.ApiResources.Count(r => string.Equals(r.Value.Uri, resource.Uri, StringComparison.Ordinal)) > 1)
            {
                failures.Add($"{key}:Uri '{resource.Uri}' is used by more than one API resource.");
            }

            if (!SigningAlgorithms.IsSupported(resource.SigningAlgorithm))
            {
                failures.Add($"{key}:SigningAlgorithm '{resource.SigningAlgorithm}' is not supported; use one of: {string.Join(", ", SigningAlgorithms.Supported)}.");
            }
        }

        return knownScopes;
    }

    private static void ValidateCredentials(string key, ClientOptions client, List<string> failures)
    {
        if (client.IsPublic)
        {
            if (client.SecretHashes.Count > 0 || client.JsonWebKeySet is not null)
            {
                failures.Add($"{key}: a public client (IsPublic) has no credentials; remove SecretHashes and JsonWebKeySet.");
            }

            if (client.AllowSubjectRevocation)
            {
                failures.Add($"{key}:AllowSubjectRevocation needs a confidential client; a public client (IsPublic) may not revoke subjects.");
            }

            foreach (var grantType in client.AllowedGrantTypes)
            {
                if (grantType is not (OAuthConstants.GrantTypes.AuthorizationCode or OAuthConstants.GrantTypes.RefreshToken))
                {
                    failures.Add($"{key}:AllowedGrantTypes: a public client may use only authorization_code and refresh_token, not '{grantType}'.");
                }
            }
        }
        else if (client.SecretHashes.Count == 0 && client.JsonWebKeySet is null)
        {
            failures.Add($"{key}:SecretHashes must list at least one secret hash ('{SecretHash.Sha256Prefix}<base64 SHA-256 of the secret>'), or {key}:JsonWebKeySet must hold the client's public keys (private_key_jwt); secrets are never configured in clear.");
        }

        if (client.JsonWebKeySet is not null && !PrivateKeyJwtAuthenticator.TryLoadKeys(client.JsonWebKeySet, out _))
        {
            failures.Add($"{key}:JsonWebKeySet must be a JWKS document (JSON) with at least one RSA or P-256 EC public key with a kid.");
        }

        if (!string.Equals(client.AccessTokenType, "Jwt", StringComparison.OrdinalIgnoreCase) && !string.Equals(client.AccessTokenType, "Reference", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{key}:AccessTokenType must be 'Jwt' or 'Reference'; it is '{client.AccessTokenType}'.");
        }

        if (client.RefreshTokenSlidingLifetime <= TimeSpan.Zero || client.RefreshTokenAbsoluteLifetime < client.RefreshTokenSlidingLifetime)
        {
            failures.Add($"{key}:RefreshTokenSlidingLifetime must be positive and no longer than {key}:RefreshTokenAbsoluteLifetime.");
        }
    }

    private static void ValidateClients(IdentityProviderOptions options, HashSet<string> knownScopes, List<string> failures)
    {
        foreach (var (clientId, client) in options.Clients)
        {
            var key = $"{Section}:Clients:{clientId}";
            if (!ClientIdSyntax.IsValid(clientId))
            {
                failures.Add($"{key}: the client id must be 1 to {ClientIdSyntax.MaxLength} printable ASCII characters without ':' or spaces.");
            }

            ValidateCredentials(key, client, failures);

            for (var i = 0; i < client.SecretHashes.Count; i++)
            {
                if (!SecretHash.TryParse(client.SecretHashes[i], out _))
                {
                    failures.Add($"{key}:SecretHashes:{i} is not in the form '{SecretHash.Sha256Prefix}<base64 of a 32-byte SHA-256>'.");
                }
            }

            if (client.AllowedGrantTypes.Count == 0)
            {
                failures.Add($"{key}:AllowedGrantTypes must list at least one grant type.");
            }

            for (var i = 0; i < client.AllowedGrantTypes.Count; i++)
            {
                var grantType = client.AllowedGrantTypes[i];
                if (!GrantTypeNames.Supported.Contains(grantType))
                {
                    failures.Add($"{key}:AllowedGrantTypes:{i} '{grantType}' is not supported; supported: {string.Join(", ", GrantTypeNames.Supported)}.");
                }
            }

            if (client.AllowedScopes.Count == 0)
            {
                failures.Add($"{key}:AllowedScopes must list at least one scope.");
            }

            for (var i = 0; i < client.AllowedScopes.Count; i++)
            {
                var scope = client.AllowedScopes[i];
                if (!knownScopes.Contains(scope))
                {
                    failures.Add($"{key}:AllowedScopes:{i} '{scope}' is not a scope of any {Section}:ApiResources entry nor an identity scope ({string.Join(' ', OAuthConstants.IdentityScopes.All)}).");
                }
                else if (scope == OAuthConstants.IdentityScopes.OfflineAccess && !client.AllowOfflineAccess)
                {
                    failures.Add($"{key}:AllowedScopes:{i} 'offline_access' needs {key}:AllowOfflineAccess true.");
                }
            }

            foreach (var (claimType, claimValue) in client.Claims)
            {
                if (OAuthConstants.Claims.Reserved.Contains(claimType))
                {
                    failures.Add($"{key}:Claims:{claimType} is a reserved claim the IdentityProvider sets itself.");
                }
                else if (string.IsNullOrEmpty(claimValue))
                {
                    failures.Add($"{key}:Claims:{claimType} must have a value.");
                }
            }

            if (client.AccessTokenLifetime is { } lifetime)
            {
                ValidateLifetime(lifetime, $"{key}:AccessTokenLifetime", failures);
            }

            ValidateTokenExchange(options, key, client, failures);
            ValidateBrowserSettings(options, key, client, failures);
        }
    }

    /// <summary>RFC 8693 policy: only with the grant, only towards configured API resources, short-lived.</summary>
    private static void ValidateTokenExchange(IdentityProviderOptions options, string clientKey, ClientOptions client, List<string> failures)
    {
        var key = $"{clientKey}:TokenExchange";
        var allowsGrant = client.AllowedGrantTypes.Contains(OAuthConstants.GrantTypes.TokenExchange, StringComparer.Ordinal);
        if (client.TokenExchange is not { } policy)
        {
            if (allowsGrant)
            {
                failures.Add($"{key} is required when {clientKey}:AllowedGrantTypes lists '{OAuthConstants.GrantTypes.TokenExchange}' (AllowedAudiences, AllowImpersonation, MaxTokenLifetime).");
            }

            return;
        }

        if (!allowsGrant)
        {
            failures.Add($"{key} is configured but {clientKey}:AllowedGrantTypes does not list '{OAuthConstants.GrantTypes.TokenExchange}'.");
        }

        if (policy.AllowedAudiences.Count == 0)
        {
            failures.Add($"{key}:AllowedAudiences must list at least one {Section}:ApiResources name.");
        }

        for (var i = 0; i < policy.AllowedAudiences.Count; i++)
        {
            if (!options.ApiResources.ContainsKey(policy.AllowedAudiences[i]))
            {
                failures.Add($"{key}:AllowedAudiences:{i} '{policy.AllowedAudiences[i]}' is not the name of an {Section}:ApiResources entry.");
            }
        }

        foreach (var (audience, scopes) in policy.DelegationScopes)
        {
            if (!policy.AllowedAudiences.Contains(audience, StringComparer.Ordinal))
            {
                failures.Add($"{key}:DelegationScopes:{audience} names an audience that is not in {key}:AllowedAudiences.");
            }

            for (var i = 0; i < scopes.Count; i++)
            {
                if (!client.AllowedScopes.Contains(scopes[i], StringComparer.Ordinal)
                    || !options.ApiResources.Values.Any(r => r.Scopes.Contains(scopes[i], StringComparer.Ordinal)))
                {
                    failures.Add($"{key}:DelegationScopes:{audience}:{i} '{scopes[i]}' must be an API resource scope listed in {clientKey}:AllowedScopes.");
                }
            }
        }

        if (policy.MaxTokenLifetime < TimeSpan.FromSeconds(1) || policy.MaxTokenLifetime > MaxExchangedTokenLifetime)
        {
            failures.Add($"{key}:MaxTokenLifetime must be between 00:00:01 and {MaxExchangedTokenLifetime:c}; it is {policy.MaxTokenLifetime:c}.");
        }
        else if (policy.MaxTokenLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{key}:MaxTokenLifetime must be a whole number of seconds; it is {policy.MaxTokenLifetime:c}.");
        }
    }

    private static void ValidateBrowserSettings(IdentityProviderOptions options, string key, ClientOptions client, List<string> failures)
    {
        if (client.AllowedGrantTypes.Contains(OAuthConstants.GrantTypes.AuthorizationCode, StringComparer.Ordinal) && client.RedirectUris.Count == 0)
        {
            failures.Add($"{key}:RedirectUris must list at least one redirect URI for a client allowed authorization_code.");
        }

        for (var i = 0; i < client.RedirectUris.Count; i++)
        {
            if (RedirectUriRules.Check(client.RedirectUris[i]) is { } problem)
            {
                failures.Add($"{key}:RedirectUris:{i} '{client.RedirectUris[i]}' {problem}");
            }
        }

        for (var i = 0; i < client.PostLogoutRedirectUris.Count; i++)
        {
            if (RedirectUriRules.Check(client.PostLogoutRedirectUris[i]) is { } problem)
            {
                failures.Add($"{key}:PostLogoutRedirectUris:{i} '{client.PostLogoutRedirectUris[i]}' {problem}");
            }
        }

        if (client.BackChannelLogoutUri is { Length: > 0 } backChannel && RedirectUriRules.Check(backChannel) is { } backChannelProblem)
        {
            failures.Add($"{key}:BackChannelLogoutUri '{backChannel}' {backChannelProblem}");
        }

        for (var i = 0; i < client.AllowedTenants.Count; i++)
        {
            if (!options.Tenants.ContainsKey(client.AllowedTenants[i]))
            {
                failures.Add($"{key}:AllowedTenants:{i} '{client.AllowedTenants[i]}' is not a tenant of {Section}:Tenants.");
            }
        }
    }

    private static void ValidateTenants(IdentityProviderOptions options, List<string> failures)
    {
        foreach (var (id, tenant) in options.Tenants)
        {
            if (!ScopeSyntax.IsValidToken(id) || id.Length > 64)
            {
                failures.Add($"{Section}:Tenants:{id}: the tenant id must be 1 to 64 printable ASCII characters without spaces or quotes.");
            }

            if (string.IsNullOrWhiteSpace(tenant.DisplayName))
            {
                failures.Add($"{Section}:Tenants:{id}:DisplayName is required.");
            }
        }
    }

    private static void ValidateUsers(IdentityProviderOptions options, List<string> failures)
    {
        var subjects = new Dictionary<string, string>(StringComparer.Ordinal);
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (username, user) in options.Users)
        {
            var key = $"{Section}:Users:{username}";
            if (username.Length is 0 or > 64 || username != username.Trim() || username.Any(char.IsControl))
            {
                failures.Add($"{key}: the username must be 1 to 64 characters without leading or trailing spaces or control characters.");
            }
            else if (!normalized.TryAdd(Stores.Users.ConfigurationUserStore.Normalize(username), username))
            {
                failures.Add($"{key}: the username differs only in letter case from {Section}:Users:{normalized[Stores.Users.ConfigurationUserStore.Normalize(username)]}.");
            }

            if (string.IsNullOrWhiteSpace(user.SubjectId) || user.SubjectId.Length > 255 || !ScopeSyntax.IsValidToken(user.SubjectId))
            {
                failures.Add($"{key}:SubjectId is required: 1 to 255 printable ASCII characters without spaces or quotes (OIDC Core §2 'sub').");
            }
            else if (!subjects.TryAdd(user.SubjectId, username))
            {
                failures.Add($"{key}:SubjectId '{user.SubjectId}' is also the SubjectId of {Section}:Users:{subjects[user.SubjectId]}.");
            }

            if (string.IsNullOrWhiteSpace(user.TenantId))
            {
                failures.Add($"{key}:TenantId is required: every user belongs to a tenant.");
            }
            else if (!options.Tenants.ContainsKey(user.TenantId))
            {
                failures.Add($"{key}:TenantId '{user.TenantId}' is not a tenant of {Section}:Tenants.");
            }

            if (user.Email is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
            {
                failures.Add($"{key}:Email '{email}' is not an email address.");
            }

            if (user.PasswordHash is not null)
            {
                if (!Account.PasswordHasher.TryParse(user.PasswordHash, out var hash))
                {
                    failures.Add($"{key}:PasswordHash is not in the form '{Account.PasswordHasher.Prefix}$<iterations>$<salt base64>$<32-byte hash base64>'.");
                }
                else if (hash.Iterations < options.MinimumPasswordHashIterations)
                {
                    failures.Add($"{key}:PasswordHash uses {hash.Iterations} iterations; {Section}:MinimumPasswordHashIterations requires at least {options.MinimumPasswordHashIterations}.");
                }
            }
        }
    }
}
