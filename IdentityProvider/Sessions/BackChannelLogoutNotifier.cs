using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Sessions;

/// <summary>
/// OIDC Back-Channel Logout 1.0: POSTs <c>logout_token=&lt;JWT&gt;</c> to every client of the ended session that
/// registered a <c>BackChannelLogoutUri</c>, in parallel, each bounded by the named client's 5 s timeout. A failure
/// is logged and never stops the logout.
/// </summary>
internal sealed class BackChannelLogoutNotifier(
    IHttpClientFactory httpClientFactory,
    ISigningKeyRing keyRing,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    ILogger<BackChannelLogoutNotifier> logger)
{
    public const string HttpClientName = "backchannel-logout";
    public const string TokenType = "logout+jwt";
    public const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(2);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <returns>How many clients were notified (attempted).</returns>
    public async Task<int> NotifyAsync(IdpSession session, IReadOnlyList<Client> clients, CancellationToken cancellationToken)
    {
        var targets = clients.Where(c => !string.IsNullOrEmpty(c.BackChannelLogoutUri)).ToList();
        if (targets.Count == 0)
        {
            return 0;
        }

        var key = await keyRing.GetSigningKeyAsync(SigningAlgorithms.RS256, cancellationToken);
        await Task.WhenAll(targets.Select(client => SendAsync(client, CreateToken(key, session, client.ClientId))));
        return targets.Count;
    }

    private string CreateToken(SigningKey key, IdpSession session, string clientId)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = clientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + TokenLifetime).UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = key.SigningCredentials,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
                ["sub"] = session.SubjectId,
                ["sid"] = session.Id,
                ["events"] = new Dictionary<string, object> { [LogoutEvent] = new Dictionary<string, object>() },
            },
        });
    }

    private async Task SendAsync(Client client, string logoutToken)
    {
        try
        {
            // Not the request's token: the RP should still be told if the browser goes away mid-logout.
            using var timeout = new CancellationTokenSource(Timeout);
            using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("logout_token", logoutToken)]);
            using var response = await httpClientFactory.CreateClient(HttpClientName).PostAsync(client.BackChannelLogoutUri, content, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                AccountLog.BackChannelLogoutDelivered(logger, client.ClientId, (int)response.StatusCode);
            }
            else
            {
                AccountLog.BackChannelLogoutFailed(logger, client.ClientId, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            AccountLog.BackChannelLogoutFailed(logger, client.ClientId, ex.GetType().Name);
        }
    }
}
