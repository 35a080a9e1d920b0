namespace Reference.IdentityProvider.Options;

/// <summary>Configuration section <c>IdentityProvider:Users:{username}</c>.</summary>
internal sealed class UserOptions
{
    public string? SubjectId { get; set; }

    public string? TenantId { get; set; }

    public string? Email { get; set; }

    public bool EmailVerified { get; set; }

    public string? Name { get; set; }

    public List<string> Roles { get; } = [];

    /// <summary><c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt base64&gt;$&lt;hash base64&gt;</c>; never a password.
    /// A user without a hash cannot sign in.</summary>
    public string? PasswordHash { get; set; }

    public bool Disabled { get; set; }
}

/// <summary>Configuration section <c>IdentityProvider:Tenants:{id}</c>.</summary>
internal sealed class TenantOptions
{
    public string? DisplayName { get; set; }

    public bool Disabled { get; set; }
}
