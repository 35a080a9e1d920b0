namespace Reference.IdentityProvider.Stores.Users;

/// <summary>Users from configuration and the seed file. Password verification lives beside it, not on <see cref="User"/>.</summary>
internal interface IUserStore
{
    ValueTask<User?> FindBySubjectIdAsync(string subjectId, CancellationToken cancellationToken);

    /// <summary>Usernames are matched after normalisation (trimmed, case-insensitive).</summary>
    ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken);
}
