using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Redis;

namespace Reference.Gateway.Authentication.Sessions;

internal enum SessionStatus
{
    Active,
    NoCookie,
    Malformed,
    Unknown,
    Expired,
    RefreshFailed,
    StoreUnavailable,
    IdentityProviderUnavailable,
}

internal readonly record struct SessionLookup(SessionStatus Status, string? SessionHash = null, SessionRecord? Record = null);

/// <summary>
/// Finds the request's session and keeps it alive: format check before Redis, absolute and sliding expiry against
/// the injected clock, sliding renewal (at most once a minute, to spare Redis writes), and the access-token refresh
/// before expiry under a per-session Redis lock (SET NX PX) so one gateway instance refreshes while the others keep
/// using the current token (or wait briefly when it has already expired).
/// </summary>
internal sealed class SessionManager
{
    private static readonly TimeSpan SlidingWriteInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RefreshPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly SessionStore _store;
    private readonly OidcProviderClient _oidc;
    private readonly BffOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SessionTelemetry _telemetry;
    private readonly ILogger<SessionManager> _logger;

    public SessionManager(
        SessionStore store,
        OidcProviderClient oidc,
        IOptions<BffOptions> options,
        TimeProvider timeProvider,
        SessionTelemetry telemetry,
        ILogger<SessionManager> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _oidc = oidc;
        _options = options.Value;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
    }

    public async Task<SessionLookup> GetAsync(HttpContext context, bool refreshTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = SessionCookie.Read(context.Request);
        if (id is null)
        {
            return new SessionLookup(SessionStatus.NoCookie);
        }

        if (!SessionCookie.IsWellFormed(id))
        {
            return new SessionLookup(SessionStatus.Malformed);
        }

        var hash = SessionStore.Hash(id);
        try
        {
            var record = await _store.GetAsync(hash, cancellationToken);
            if (record is null)
            {
                return new SessionLookup(SessionStatus.Unknown, hash);
            }

            var now = _timeProvider.GetUtcNow();
            if (now >= record.ExpiresAt(_options.SlidingExpiration))
            {
                await EndAsync(hash, record, "expired", cancellationToken);
                return new SessionLookup(SessionStatus.Expired, hash);
            }

            if (refreshTokens && record.AccessTokenExpiresAt - now < _options.RefreshBeforeExpiry)
            {
                var refreshed = await RefreshAsync(hash, record, cancellationToken);
                if (refreshed.Status != SessionStatus.Active)
                {
                    return refreshed;
                }

                record = refreshed.Record!;
            }

            if (now - record.LastSeenAt >= SlidingWriteInterval)
            {
                record = record with { LastSeenAt = now };
                await _store.SaveAsync(hash, record, cancellationToken);
            }

            return new SessionLookup(SessionStatus.Active, hash, record);
        }
        catch (RedisException ex)
        {
            SessionLog.StoreUnavailable(_logger, ex.GetType().Name);
            return new SessionLookup(SessionStatus.StoreUnavailable, hash);
        }
    }

    /// <summary>Creates a session from a completed login: a fresh id every time (no fixation); the old session, if any, is ended.</summary>
    public async Task<string> CreateAsync(HttpContext context, SessionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        if (SessionCookie.Read(context.Request) is { } previous && SessionCookie.IsWellFormed(previous))
        {
            var previousHash = SessionStore.Hash(previous);
            var previousRecord = await _store.GetAsync(previousHash, cancellationToken);
            await _store.DeleteAsync(previousHash, previousRecord, cancellationToken);
        }

        var id = SessionCookie.NewId();
        var hash = SessionStore.Hash(id);
        await _store.SaveAsync(hash, record, cancellationToken);
        _telemetry.RecordEvent("login");
        SessionLog.SessionCreated(_logger, hash[..12], record.Subject);
        return id;
    }

    public async Task EndAsync(string sessionHash, SessionRecord? record, string reason, CancellationToken cancellationToken)
    {
        await _store.DeleteAsync(sessionHash, record, cancellationToken);
        _telemetry.RecordEvent(reason);
        SessionLog.SessionEnded(_logger, sessionHash[..12], reason);
    }

    /// <summary>A session record from a token response and the validated ID token's claims.</summary>
    public SessionRecord BuildRecord(TokenEndpointResponse tokens, System.Text.Json.JsonElement idTokenPayload, string idToken, SessionRecord? previous)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var now = _timeProvider.GetUtcNow();
        var access = ReadAccessTokenClaims(tokens.AccessToken);
        var scopes = (tokens.Scope ?? access.Scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new SessionRecord
        {
            Subject = OidcProviderClient.String(idTokenPayload, "sub")!,
            Sid = OidcProviderClient.String(idTokenPayload, "sid"),
            Issuer = _options.Authority!,
            ClientId = access.ClientId ?? _options.ClientId,
            IdToken = idToken,
            AccessToken = tokens.AccessToken,
            AccessTokenId = access.TokenId,
            RefreshToken = tokens.RefreshToken ?? previous?.RefreshToken,
            AccessTokenExpiresAt = now + tokens.ExpiresIn,
            Scopes = scopes,
            TenantId = access.TenantId ?? OidcProviderClient.String(idTokenPayload, "tenant_id"),
            Email = OidcProviderClient.String(idTokenPayload, "email"),
            Name = OidcProviderClient.String(idTokenPayload, "name"),
            Roles = access.Roles.Count > 0 ? access.Roles : Strings(idTokenPayload, "roles"),
            CreatedAt = previous?.CreatedAt ?? now,
            LastSeenAt = now,
            AbsoluteExpiresAt = previous?.AbsoluteExpiresAt ?? now + _options.AbsoluteExpiration,
        };
    }

    private async Task<SessionLookup> RefreshAsync(string hash, SessionRecord record, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (string.IsNullOrEmpty(record.RefreshToken))
        {
            if (record.AccessTokenExpiresAt > now)
            {
                return new SessionLookup(SessionStatus.Active, hash, record);
            }

            await EndAsync(hash, record, "access_token_expired", cancellationToken);
            return new SessionLookup(SessionStatus.RefreshFailed, hash);
        }

        var owner = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        if (!await _store.TryAcquireRefreshLockAsync(hash, owner, cancellationToken))
        {
            return await WaitForOtherRefreshAsync(hash, record, cancellationToken);
        }

        try
        {
            // Another instance may have refreshed between our read and the lock.
            var current = await _store.GetAsync(hash, cancellationToken);
            if (current is null)
            {
                return new SessionLookup(SessionStatus.Unknown, hash);
            }

            if (current.AccessTokenExpiresAt - _timeProvider.GetUtcNow() >= _options.RefreshBeforeExpiry)
            {
                return new SessionLookup(SessionStatus.Active, hash, current);
            }

            TokenEndpointResponse tokens;
            try
            {
                tokens = await _oidc.RefreshAsync(current.RefreshToken!, cancellationToken);
            }
            catch (TokenRequestRejectedException ex)
            {
                _telemetry.RecordRefresh("rejected");
                SessionLog.RefreshFailed(_logger, hash[..12], ex.Message);
                await EndAsync(hash, current, "refresh_failed", cancellationToken);
                return new SessionLookup(SessionStatus.RefreshFailed, hash);
            }
            catch (IdentityProviderUnavailableException ex)
            {
                _telemetry.RecordRefresh("unavailable");
                SessionLog.RefreshFailed(_logger, hash[..12], ex.Message);
                return current.AccessTokenExpiresAt > _timeProvider.GetUtcNow()
                    ? new SessionLookup(SessionStatus.Active, hash, current)
                    : new SessionLookup(SessionStatus.IdentityProviderUnavailable, hash);
            }

            var access = ReadAccessTokenClaims(tokens.AccessToken);
            var updated = current with
            {
                AccessToken = tokens.AccessToken,
                AccessTokenId = access.TokenId,
                RefreshToken = tokens.RefreshToken ?? current.RefreshToken,
                AccessTokenExpiresAt = _timeProvider.GetUtcNow() + tokens.ExpiresIn,
                Scopes = tokens.Scope is { } scope ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : current.Scopes,
                Roles = access.Roles.Count > 0 ? access.Roles : current.Roles,
                TenantId = access.TenantId ?? current.TenantId,
                IdToken = tokens.IdToken ?? current.IdToken,
            };
            await _store.SaveAsync(hash, updated, cancellationToken);
            _telemetry.RecordRefresh("success");
            SessionLog.Refreshed(_logger, hash[..12]);
            return new SessionLookup(SessionStatus.Active, hash, updated);
        }
        finally
        {
            await _store.ReleaseRefreshLockAsync(hash, owner, CancellationToken.None);
        }
    }

    private async Task<SessionLookup> WaitForOtherRefreshAsync(string hash, SessionRecord record, CancellationToken cancellationToken)
    {
        if (record.AccessTokenExpiresAt > _timeProvider.GetUtcNow())
        {
            return new SessionLookup(SessionStatus.Active, hash, record);
        }

        // Real time on purpose: this waits on another process, not on a lifetime.
        var deadline = DateTime.UtcNow + _options.RefreshWait;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(RefreshPollInterval, cancellationToken);
            var current = await _store.GetAsync(hash, cancellationToken);
            if (current is null)
            {
                return new SessionLookup(SessionStatus.Unknown, hash);
            }

            if (current.AccessTokenExpiresAt > _timeProvider.GetUtcNow())
            {
                return new SessionLookup(SessionStatus.Active, hash, current);
            }
        }

        return new SessionLookup(SessionStatus.IdentityProviderUnavailable, hash);
    }

    private static string[] Strings(System.Text.Json.JsonElement payload, string name)
    {
        if (!payload.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => [value.GetString()!],
            System.Text.Json.JsonValueKind.Array => [.. value.EnumerateArray()
                .Where(e => e.ValueKind == System.Text.Json.JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
    }

    /// <summary>
    /// Claims of the session's own access token, read without validation: the gateway received it directly from the
    /// token endpoint over its authenticated back channel, it is not caller input. An opaque token yields nothing.
    /// </summary>
    private static (string? Scope, string? ClientId, string? TenantId, IReadOnlyList<string> Roles, string? TokenId) ReadAccessTokenClaims(string accessToken)
    {
        try
        {
            var jwt = new JsonWebToken(accessToken);
            var payload = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.EncodedPayload)).RootElement;
            return (
                OidcProviderClient.String(payload, "scope"),
                OidcProviderClient.String(payload, "client_id"),
                OidcProviderClient.String(payload, "tenant_id"),
                Strings(payload, "roles"),
                OidcProviderClient.String(payload, "jti"));
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException)
        {
            return (null, null, null, [], null);
        }
    }
}
