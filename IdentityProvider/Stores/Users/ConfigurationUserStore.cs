using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Stores.Users;

/// <summary>Users and tenants from the validated <c>IdentityProvider:Users</c> / <c>Tenants</c> configuration (which
/// includes the seed file), read once.</summary>
internal sealed class ConfigurationUserStore(IOptions<IdentityProviderOptions> options) : IUserStore
{
    private readonly Lazy<Snapshot> _snapshot = new(() => Build(options.Value));

    public ValueTask<User?> FindBySubjectIdAsync(string subjectId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_snapshot.Value.BySubject.GetValueOrDefault(subjectId)?.User);

    public ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_snapshot.Value.ByUsername.GetValueOrDefault(Normalize(username))?.User);

    /// <summary>The stored password hash of a user, or null when the user has none (cannot sign in).</summary>
    public ParsedPasswordHash? GetPasswordHash(User user) =>
        _snapshot.Value.BySubject.GetValueOrDefault(user.SubjectId)?.PasswordHash;

    /// <summary>A hash that no password matches, as expensive as the most expensive configured one, verified for
    /// unknown users so that response time does not reveal whether a username exists.</summary>
    public ParsedPasswordHash DummyHash => _snapshot.Value.Dummy;

    public bool IsTenantActive(string tenantId) =>
        _snapshot.Value.Tenants.TryGetValue(tenantId, out var tenant) && !tenant.Disabled;

    /// <summary>Trimmed and lower-cased (invariant): the lookup key and the lockout key.</summary>
    /// <summary>
    /// The one form of a username for lookups, rate limits and lockouts: Unicode-normalised (NFKC where the runtime
    /// has the data; full-width ASCII folded explicitly, since the build runs with invariant globalization), invisible
    /// format characters (zero-width space, joiners, BOM) removed, surrounding whitespace trimmed, lower case
    /// (invariant). Variants of one name cannot dodge a limit.
    /// </summary>
    public static string Normalize(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        var text = username.IsNormalized(NormalizationForm.FormKC) ? username : username.Normalize(NormalizationForm.FormKC);
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                continue;
            }

            folded.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            });
        }

        return folded.ToString().Trim().ToLowerInvariant();
    }

    private static Snapshot Build(IdentityProviderOptions options)
    {
        var entries = options.Users.Select(pair =>
        {
            var o = pair.Value;
            var user = new User(
                o.SubjectId!,
                pair.Key,
                o.TenantId!,
                o.Email,
                o.EmailVerified,
                o.Name,
                [.. o.Roles],
                !o.Disabled && options.Tenants.TryGetValue(o.TenantId!, out var tenant) && !tenant.Disabled);
            ParsedPasswordHash? hash = PasswordHasher.TryParse(o.PasswordHash, out var parsed) ? parsed : null;
            return new Entry(user, hash);
        }).ToList();

        var iterations = entries.Select(e => e.PasswordHash?.Iterations ?? 0).DefaultIfEmpty(0).Max();
        var dummyIterations = iterations > 0 ? iterations : PasswordHasher.DefaultIterations;
        var dummy = new ParsedPasswordHash(dummyIterations, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(32));

        return new Snapshot(
            entries.ToFrozenDictionary(e => Normalize(e.User.Username), StringComparer.Ordinal),
            entries.ToFrozenDictionary(e => e.User.SubjectId, StringComparer.Ordinal),
            options.Tenants.ToFrozenDictionary(StringComparer.Ordinal),
            dummy);
    }

    private sealed record Entry(User User, ParsedPasswordHash? PasswordHash);

    private sealed record Snapshot(
        FrozenDictionary<string, Entry> ByUsername,
        FrozenDictionary<string, Entry> BySubject,
        FrozenDictionary<string, TenantOptions> Tenants,
        ParsedPasswordHash Dummy);
}
