namespace Reference.IdentityProvider.Stores.Users;

/// <summary>A user who can sign in. Every user belongs to exactly one tenant (the <c>tenant_id</c> claim).</summary>
internal sealed record User(
    string SubjectId,
    string Username,
    string TenantId,
    string? Email,
    bool EmailVerified,
    string? Name,
    IReadOnlyList<string> Roles,
    bool IsActive);
