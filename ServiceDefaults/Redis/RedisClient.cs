using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.Redis.Connections;

namespace Reference.Redis;

/// <summary>When <see cref="RedisClient.SetAsync"/> writes the value.</summary>
public enum SetCondition
{
    /// <summary>Always (plain SET).</summary>
    Always,

    /// <summary>Only when the key does not exist (<c>NX</c>).</summary>
    NotExists,

    /// <summary>Only when the key exists (<c>XX</c>).</summary>
    Exists,
}

/// <summary>One page of a <c>SCAN</c>: the cursor for the next page (0 when done) and the keys found.</summary>
/// <param name="Cursor">The cursor to pass to the next call; 0 when the iteration is complete.</param>
/// <param name="Keys">The keys in this page (possibly none; a key may appear in more than one page).</param>
public sealed record RedisScanPage(ulong Cursor, IReadOnlyList<string> Keys);

/// <summary>
/// A Redis client speaking RESP2 over one multiplexed connection per endpoint: any number of concurrent
/// callers share the socket, commands are pipelined and replies matched strictly in order. Thread-safe;
/// create one per endpoint and share it (register it as a singleton, see
/// <c>builder.AddRedisClient("cache")</c>).
/// </summary>
/// <remarks>
/// <para>Connecting starts in the background when the client is created. While disconnected, commands wait in
/// a bounded backlog (<see cref="RedisConnectionOptions.BacklogLimit"/>); a failed connection attempt fails
/// the waiting commands with <see cref="RedisConnectionException"/> naming the endpoint, and reconnection
/// continues with exponential backoff and jitter. A wrong password fails commands fast with
/// <see cref="RedisAuthenticationException"/> and retries only every <see cref="RedisConnectionOptions.ReconnectMaxDelay"/>.</para>
/// <para>Every command has the <see cref="RedisConnectionOptions.CommandTimeout"/> (<c>syncTimeout</c>). A command
/// that was sent and not answered in time fails with <see cref="RedisTimeoutException"/> and resets the
/// connection, so no later caller can ever receive its reply. A malformed reply fails the connection's
/// commands with <see cref="RedisConnectionException"/> (inner <see cref="RedisProtocolException"/>) and reconnects.</para>
/// <para>Pub/sub uses a second, dedicated connection, opened on the first subscription, that resubscribes
/// every channel and pattern after it reconnects. Subscription handlers run on that connection's reader:
/// keep them short and hand long work off.</para>
/// </remarks>
public sealed class RedisClient : IAsyncDisposable, IDisposable
{
    private static readonly HashSet<string> ReservedCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "MONITOR", "QUIT", "RESET", "SELECT", "AUTH", "HELLO", "CLIENT",
    };

    private readonly RedisMultiplexer _interactive;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<string, string> _scriptShas = new(StringComparer.Ordinal);
    private readonly SubscriptionRegistry _subscriptions;
    private readonly object _subscriberGate = new();
    private RedisMultiplexer? _subscriber;

    /// <summary>Creates a client and starts connecting in the background.</summary>
    /// <param name="options">Where and how to connect; copied, later changes have no effect.</param>
    /// <param name="loggerFactory">Logs connection events (never values or passwords).</param>
    /// <param name="timeProvider">Clock for timeouts and backoff; the system clock by default.</param>
    public RedisClient(RedisConnectionOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CommandTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        Options = options.Clone();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RedisClient>();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _subscriptions = new SubscriptionRegistry(_logger);
        _interactive = new RedisMultiplexer(Options, "interactive", selectDatabase: true, _logger, _timeProvider);
    }

    /// <summary>Creates a client from a StackExchange.Redis-style connection string (see <see cref="RedisConnectionOptions.Parse"/>).</summary>
    public RedisClient(string connectionString, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(RedisConnectionOptions.Parse(connectionString), loggerFactory, timeProvider)
    {
    }

    /// <summary>The options in use (the password is kept, <see cref="RedisConnectionOptions.ToString"/> hides it).</summary>
    public RedisConnectionOptions Options { get; }

    /// <summary>The endpoint as <c>host:port</c>.</summary>
    public string EndPoint => Options.EndPoint;

    /// <summary>Whether the command connection is currently up.</summary>
    public bool IsConnected => _interactive.IsConnected;

    /// <summary>Whether the pub/sub connection exists and is currently up (false before the first subscription).</summary>
    public bool IsSubscriberConnected
    {
        get
        {
            lock (_subscriberGate)
            {
                return _subscriber?.IsConnected ?? false;
            }
        }
    }

    /// <summary>
    /// Creates a client; when <see cref="RedisConnectionOptions.AbortOnConnectFail"/> is set, waits for the first
    /// connection (a PING) and throws if it fails, otherwise returns at once.
    /// </summary>
    /// <exception cref="RedisConnectionException">The first connection failed (only with <c>abortConnect=true</c>).</exception>
    public static async Task<RedisClient> ConnectAsync(
        RedisConnectionOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var client = new RedisClient(options, loggerFactory, timeProvider);
        if (options.AbortOnConnectFail)
        {
            try
            {
                await client.PingAsync(cancellationToken);
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        return client;
    }

    /// <summary><c>PING</c>: checks the connection and returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = _timeProvider.GetTimestamp();
        var reply = await ExecuteCoreAsync(_interactive, "PING", [], cancellationToken);
        return reply.Kind == RedisResultKind.SimpleString && reply.ToString() == "PONG"
            ? _timeProvider.GetElapsedTime(started)
            : throw new RedisProtocolException("PING was not answered with PONG.");
    }

    /// <summary><c>GET key</c>: the value, or <see cref="RedisValue.Null"/> when the key does not exist.</summary>
    public async Task<RedisValue> GetAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "GET", [Key(key)], cancellationToken)).ToValue();

    /// <summary><c>SET key value [EX s|PX ms|KEEPTTL] [NX|XX]</c>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (string, bytes, or integer).</param>
    /// <param name="expiry">Time to live: sent as <c>EX</c> when whole seconds, else <c>PX</c>. <see langword="null"/> removes any TTL unless <paramref name="keepTtl"/>.</param>
    /// <param name="condition"><c>NX</c> or <c>XX</c>.</param>
    /// <param name="keepTtl">Keep the key's current TTL (<c>KEEPTTL</c>); not with <paramref name="expiry"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the reply.</param>
    /// <returns><see langword="false"/> when the condition was not met and nothing was written.</returns>
    public async Task<bool> SetAsync(string key, RedisValue value, TimeSpan? expiry = null, SetCondition condition = SetCondition.Always, bool keepTtl = false, CancellationToken cancellationToken = default) =>
        !(await ExecuteCoreAsync(_interactive, "SET", SetArgs(key, value, expiry, condition, keepTtl, get: false), cancellationToken)).IsNull;

    /// <summary><c>SET key value ... GET</c>: sets the value (subject to the same options as <see cref="SetAsync"/>) and returns the previous one.</summary>
    /// <returns>The previous value, or nil when the key did not exist.</returns>
    public async Task<RedisValue> SetAndGetAsync(string key, RedisValue value, TimeSpan? expiry = null, SetCondition condition = SetCondition.Always, bool keepTtl = false, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "SET", SetArgs(key, value, expiry, condition, keepTtl, get: true), cancellationToken)).ToValue();

    /// <summary><c>GETEX key [EX s|PX ms|PERSIST]</c>: the value, optionally changing its TTL.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">New time to live (<c>EX</c> when whole seconds, else <c>PX</c>); <see langword="null"/> leaves it.</param>
    /// <param name="persist">Remove the TTL (<c>PERSIST</c>); not with <paramref name="expiry"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the reply.</param>
    public async Task<RedisValue> GetExAsync(string key, TimeSpan? expiry = null, bool persist = false, CancellationToken cancellationToken = default)
    {
        if (expiry is not null && persist)
        {
            throw new ArgumentException("GETEX takes either an expiry or PERSIST, not both.", nameof(persist));
        }

        var args = new List<RedisValue>(3) { Key(key) };
        if (expiry is { } ttl)
        {
            AddExpiry(args, ttl);
        }
        else if (persist)
        {
            args.Add("PERSIST");
        }

        return (await ExecuteCoreAsync(_interactive, "GETEX", [.. args], cancellationToken)).ToValue();
    }

    /// <summary><c>GETDEL key</c>: the value (nil when absent), deleting the key.</summary>
    public async Task<RedisValue> GetDeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "GETDEL", [Key(key)], cancellationToken)).ToValue();

    /// <summary><c>DEL key</c>: whether the key existed.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "DEL", [Key(key)], cancellationToken)).ToInt64() == 1;

    /// <summary><c>DEL key [key ...]</c>: how many of the keys existed.</summary>
    public async Task<long> DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "DEL", Keys(keys), cancellationToken)).ToInt64();

    /// <summary><c>EXISTS key</c>.</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "EXISTS", [Key(key)], cancellationToken)).ToInt64() == 1;

    /// <summary><c>EXISTS key [key ...]</c>: how many of the keys exist (a key named twice counts twice).</summary>
    public async Task<long> ExistsAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "EXISTS", Keys(keys), cancellationToken)).ToInt64();

    /// <summary><c>EXPIRE key seconds</c> when <paramref name="expiry"/> is whole seconds, else <c>PEXPIRE key ms</c>.</summary>
    /// <returns><see langword="false"/> when the key does not exist.</returns>
    public async Task<bool> ExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        var milliseconds = Milliseconds(expiry);
        var reply = milliseconds % 1000 == 0
            ? await ExecuteCoreAsync(_interactive, "EXPIRE", [Key(key), milliseconds / 1000], cancellationToken)
            : await ExecuteCoreAsync(_interactive, "PEXPIRE", [Key(key), milliseconds], cancellationToken);
        return reply.ToInt64() == 1;
    }

    /// <summary><c>PEXPIRE key ms</c>.</summary>
    /// <returns><see langword="false"/> when the key does not exist.</returns>
    public async Task<bool> PExpireAsync(string key, long milliseconds, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "PEXPIRE", [Key(key), milliseconds], cancellationToken)).ToInt64() == 1;

    /// <summary><c>PTTL key</c> in milliseconds, with Redis's markers: -2 when the key does not exist, -1 when it has no TTL.</summary>
    public async Task<long> PTtlAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "PTTL", [Key(key)], cancellationToken)).ToInt64();

    /// <summary><c>PTTL key</c> as a time span: <see langword="null"/> when the key does not exist or has no TTL.</summary>
    public async Task<TimeSpan?> GetTimeToLiveAsync(string key, CancellationToken cancellationToken = default) =>
        await PTtlAsync(key, cancellationToken) is var ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary><c>INCR key</c> (by 1) or <c>INCRBY key increment</c>: the new value.</summary>
    public async Task<long> IncrementAsync(string key, long increment = 1, CancellationToken cancellationToken = default) =>
        (increment == 1
            ? await ExecuteCoreAsync(_interactive, "INCR", [Key(key)], cancellationToken)
            : await ExecuteCoreAsync(_interactive, "INCRBY", [Key(key), increment], cancellationToken)).ToInt64();

    /// <summary><c>HSET key field value</c>: <see langword="true"/> when the field is new.</summary>
    public async Task<bool> HashSetAsync(string key, string field, RedisValue value, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "HSET", [Key(key), Key(field), value], cancellationToken)).ToInt64() == 1;

    /// <summary><c>HSET key field value [field value ...]</c>: how many fields were new.</summary>
    public async Task<long> HashSetAsync(string key, IEnumerable<KeyValuePair<string, RedisValue>> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var args = new List<RedisValue> { Key(key) };
        foreach (var (field, value) in fields)
        {
            args.Add(Key(field));
            args.Add(value);
        }

        return args.Count == 1
            ? throw new ArgumentException("HSET needs at least one field.", nameof(fields))
            : (await ExecuteCoreAsync(_interactive, "HSET", [.. args], cancellationToken)).ToInt64();
    }

    /// <summary><c>HGET key field</c>: the value, or nil.</summary>
    public async Task<RedisValue> HashGetAsync(string key, string field, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "HGET", [Key(key), Key(field)], cancellationToken)).ToValue();

    /// <summary><c>HGETALL key</c>: every field and value (empty when the key does not exist).</summary>
    public async Task<IReadOnlyDictionary<string, RedisValue>> HashGetAllAsync(string key, CancellationToken cancellationToken = default)
    {
        var items = (await ExecuteCoreAsync(_interactive, "HGETALL", [Key(key)], cancellationToken)).Items;
        var result = new Dictionary<string, RedisValue>(items.Count / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            result[items[i].ToString()] = items[i + 1].ToValue();
        }

        return result;
    }

    /// <summary><c>HDEL key field</c>: whether the field existed.</summary>
    public async Task<bool> HashDeleteAsync(string key, string field, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "HDEL", [Key(key), Key(field)], cancellationToken)).ToInt64() == 1;

    /// <summary><c>HDEL key field [field ...]</c>: how many fields existed.</summary>
    public async Task<long> HashDeleteAsync(string key, IEnumerable<string> fields, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "HDEL", [Key(key), .. Keys(fields)], cancellationToken)).ToInt64();

    /// <summary><c>SADD key member</c>: whether the member is new.</summary>
    public async Task<bool> SetAddAsync(string key, RedisValue member, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "SADD", [Key(key), member], cancellationToken)).ToInt64() == 1;

    /// <summary><c>SADD key member [member ...]</c>: how many members were new.</summary>
    public async Task<long> SetAddAsync(string key, IEnumerable<RedisValue> members, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "SADD", [Key(key), .. NonEmpty(members, nameof(members))], cancellationToken)).ToInt64();

    /// <summary><c>SREM key member</c>: whether the member was there.</summary>
    public async Task<bool> SetRemoveAsync(string key, RedisValue member, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "SREM", [Key(key), member], cancellationToken)).ToInt64() == 1;

    /// <summary><c>SREM key member [member ...]</c>: how many members were removed.</summary>
    public async Task<long> SetRemoveAsync(string key, IEnumerable<RedisValue> members, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "SREM", [Key(key), .. NonEmpty(members, nameof(members))], cancellationToken)).ToInt64();

    /// <summary><c>SMEMBERS key</c>: every member (empty when the key does not exist), in no particular order.</summary>
    public async Task<IReadOnlyList<RedisValue>> SetMembersAsync(string key, CancellationToken cancellationToken = default)
    {
        var items = (await ExecuteCoreAsync(_interactive, "SMEMBERS", [Key(key)], cancellationToken)).Items;
        var members = new RedisValue[items.Count];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = items[i].ToValue();
        }

        return members;
    }

    /// <summary><c>SCAN cursor [MATCH pattern] [COUNT count]</c>: one page of keys.</summary>
    public async Task<RedisScanPage> ScanPageAsync(ulong cursor, string? pattern = null, int count = 0, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisValue>(5) { cursor.ToString(CultureInfo.InvariantCulture) };
        if (pattern is not null)
        {
            args.Add("MATCH");
            args.Add(pattern);
        }

        if (count > 0)
        {
            args.Add("COUNT");
            args.Add(count);
        }

        var items = (await ExecuteCoreAsync(_interactive, "SCAN", [.. args], cancellationToken)).Items;
        if (items.Count != 2 || !ulong.TryParse(items[0].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var next))
        {
            throw new RedisProtocolException("SCAN replied with something other than [cursor, keys].");
        }

        var keys = items[1].Items;
        var names = new string[keys.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = keys[i].ToString();
        }

        return new RedisScanPage(next, names);
    }

    /// <summary>Iterates every key matching <paramref name="pattern"/> with <c>SCAN</c> (keys changed meanwhile may be missed or repeated, as SCAN guarantees).</summary>
    public async IAsyncEnumerable<string> ScanAsync(string? pattern = null, int pageSize = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ulong cursor = 0;
        do
        {
            var page = await ScanPageAsync(cursor, pattern, pageSize, cancellationToken);
            foreach (var key in page.Keys)
            {
                yield return key;
            }

            cursor = page.Cursor;
        }
        while (cursor != 0);
    }

    /// <summary>
    /// Runs a Lua script with <c>EVALSHA</c> (its SHA-1 is computed once and cached), falling back to
    /// <c>EVAL</c> when the server answers <c>NOSCRIPT</c> (first use, server restart, SCRIPT FLUSH); EVAL
    /// also loads it, so the next call is an EVALSHA again.
    /// </summary>
    /// <exception cref="RedisServerException">The script failed or returned an error.</exception>
    public async Task<RedisResult> ScriptEvaluateAsync(string script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisValue>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        var sha = ScriptSha(script);
        try
        {
            return await ExecuteCoreAsync(_interactive, "EVALSHA", EvalArgs(sha, keys, args), cancellationToken);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            return await ExecuteCoreAsync(_interactive, "EVAL", EvalArgs(script, keys, args), cancellationToken);
        }
    }

    /// <summary><c>PUBLISH channel message</c>: how many subscribers received it.</summary>
    public async Task<long> PublishAsync(string channel, RedisValue message, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync(_interactive, "PUBLISH", [Key(channel), message], cancellationToken)).ToInt64();

    /// <summary><c>SUBSCRIBE channel</c> on the dedicated pub/sub connection; returns once the server confirmed it.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="handler">Called for every message, on the pub/sub connection's reader: keep it short. Exceptions are logged.</param>
    /// <param name="cancellationToken">Stops waiting for the confirmation.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public Task<RedisSubscription> SubscribeAsync(string channel, Action<RedisPubSubMessage> handler, CancellationToken cancellationToken = default) =>
        SubscribeCoreAsync(channel, isPattern: false, handler, null, cancellationToken);

    /// <summary>
    /// <c>SUBSCRIBE channel</c> like <see cref="SubscribeAsync(string, Action{RedisPubSubMessage}, CancellationToken)"/>, and
    /// calls <paramref name="onResubscribed"/> each time the subscription is confirmed again after a reconnect, so the
    /// caller can catch up on what was published while it was disconnected (pub/sub does not replay).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="handler">Called for every message, on the pub/sub connection's reader: keep it short. Exceptions are logged.</param>
    /// <param name="onResubscribed">Called on a thread-pool thread after each confirmed resubscription. Exceptions are logged.</param>
    /// <param name="cancellationToken">Stops waiting for the first confirmation.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public Task<RedisSubscription> SubscribeAsync(string channel, Action<RedisPubSubMessage> handler, Action onResubscribed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onResubscribed);
        return SubscribeCoreAsync(channel, isPattern: false, handler, onResubscribed, cancellationToken);
    }

    /// <summary><c>PSUBSCRIBE pattern</c> on the dedicated pub/sub connection; returns once the server confirmed it.</summary>
    /// <param name="pattern">A glob-style channel pattern such as <c>news.*</c>.</param>
    /// <param name="handler">Called for every matching message, on the pub/sub connection's reader: keep it short. Exceptions are logged.</param>
    /// <param name="cancellationToken">Stops waiting for the confirmation.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public Task<RedisSubscription> PatternSubscribeAsync(string pattern, Action<RedisPubSubMessage> handler, CancellationToken cancellationToken = default) =>
        SubscribeCoreAsync(pattern, isPattern: true, handler, null, cancellationToken);

    /// <summary>
    /// Sends any command and returns its raw reply, e.g. <c>ExecuteAsync("HINCRBY", "h", "f", 2)</c>.
    /// Commands that change the connection's state for every caller (SUBSCRIBE, SELECT, AUTH, HELLO, CLIENT,
    /// MONITOR, QUIT, RESET...) are refused. Blocking commands (BLPOP...) block every caller behind them.
    /// </summary>
    /// <exception cref="RedisServerException">The server answered with an error.</exception>
    public Task<RedisResult> ExecuteAsync(string command, params RedisValue[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    /// <inheritdoc cref="ExecuteAsync(string, RedisValue[])"/>
    public Task<RedisResult> ExecuteAsync(string command, IReadOnlyList<RedisValue> args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        if (ReservedCommands.Contains(command) || command.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{command}' cannot be sent through ExecuteAsync: it would change the shared connection's state.", nameof(command));
        }

        return ExecuteCoreAsync(_interactive, command.ToUpperInvariant(), [.. args], cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        RedisMultiplexer? subscriber;
        lock (_subscriberGate)
        {
            subscriber = _subscriber;
        }

        await _interactive.DisposeAsync();
        if (subscriber is not null)
        {
            await subscriber.DisposeAsync();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal async Task UnsubscribeAsync(RedisSubscription subscription)
    {
        Task? pending = null;
        lock (_subscriberGate)
        {
            if (_subscriptions.Remove(subscription) && _subscriber is { } subscriber)
            {
                // Queued under the lock so a concurrent SUBSCRIBE to the same channel is ordered after it.
                pending = ExecuteCoreAsync(subscriber, subscription.IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", [subscription.Channel], CancellationToken.None);
            }
        }

        if (pending is not null)
        {
            try
            {
                await pending;
            }
            catch (RedisConnectionException)
            {
                // Disconnected: the channel is no longer in the registry, so it is not resubscribed.
            }
        }
    }

    private async Task<RedisSubscription> SubscribeCoreAsync(
        string channel, bool isPattern, Action<RedisPubSubMessage> handler, Action? onResubscribed, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new RedisSubscription(this, channel, isPattern, handler) { Resubscribed = onResubscribed };
        Task<RedisResult> confirmation;
        lock (_subscriberGate)
        {
            _subscriber ??= new RedisMultiplexer(
                Options, "subscriber", selectDatabase: false, _logger, _timeProvider, _subscriptions.Dispatch, ResubscribeCommands);
            _subscriptions.Add(subscription);
            confirmation = ExecuteCoreAsync(_subscriber, isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", [channel], cancellationToken);
        }

        try
        {
            await confirmation;
            return subscription;
        }
        catch
        {
            await UnsubscribeAsync(subscription);
            throw;
        }
    }

    private List<PendingCommand> ResubscribeCommands()
    {
        var commands = new List<PendingCommand>();
        var deadline = _timeProvider.GetTimestamp() + _interactive.TimeoutTicks;
        foreach (var (channel, isPattern) in _subscriptions.Snapshot())
        {
            var command = new PendingCommand(isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", [channel], deadline);
            command.Task.ContinueWith(
                static (task, state) =>
                {
                    var (logger, endPoint, name) = ((ILogger, string, string))state!;
                    RedisLog.ResubscribeFailed(logger, "subscriber", endPoint, name, task.Exception!.InnerException!);
                },
                (_logger, EndPoint, channel),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            command.Task.ContinueWith(
                static (_, state) =>
                {
                    var (client, name, pattern) = ((RedisClient, string, bool))state!;
                    client.NotifyResubscribed(name, pattern);
                },
                (this, channel, isPattern),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            commands.Add(command);
        }

        return commands;
    }

    private void NotifyResubscribed(string channel, bool isPattern)
    {
        foreach (var subscription in _subscriptions.Find(channel, isPattern))
        {
            try
            {
                subscription.Resubscribed?.Invoke();
            }
#pragma warning disable CA1031 // A faulty callback must not break the other subscriptions; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RedisLog.HandlerFailed(_logger, channel, ex);
            }
        }
    }

    private async Task<RedisResult> ExecuteCoreAsync(RedisMultiplexer multiplexer, string command, RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _timeProvider.GetTimestamp();
        using var activity = RedisTelemetry.StartCommand(command, Options.Host, Options.Port, Options.DefaultDatabase);
        var pending = new PendingCommand(command, args, started + multiplexer.TimeoutTicks);
        var registration = default(CancellationTokenRegistration);
        string? errorType = null;
        try
        {
            multiplexer.Enqueue(pending);
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static (state, token) => ((PendingCommand)state!).TrySetCanceled(token), pending);
            }

            var reply = await pending.Task;
            if (reply.Kind == RedisResultKind.Error)
            {
                throw new RedisServerException(RedactServerError(reply.ToString()));
            }

            return reply;
        }
        catch (Exception ex)
        {
            errorType = ex switch
            {
                RedisServerException server => server.ErrorCode,
                OperationCanceledException => "cancelled",
                _ => ex.GetType().Name,
            };
            activity?.SetStatus(ActivityStatusCode.Error, errorType);
            activity?.SetTag("error.type", errorType);
            RedisTelemetry.CommandErrors.Add(1, new("db.operation.name", command), new("error.type", errorType));
            throw;
        }
        finally
        {
            await registration.DisposeAsync();
            var tags = new TagList { { "db.system.name", "redis" }, { "db.operation.name", command } };
            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            RedisTelemetry.CommandDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>Redis echoes the first arguments of an unknown command in its error; they may be values, so they are cut.</summary>
    private static string RedactServerError(string message)
    {
        var index = message.IndexOf(", with args beginning with:", StringComparison.Ordinal);
        return index < 0 ? message : message[..index];
    }

    private string ScriptSha(string script)
    {
        lock (_scriptShas)
        {
            if (!_scriptShas.TryGetValue(script, out var sha))
            {
                // SHA-1 is what Redis names scripts by (EVALSHA); it is an identifier here, not a security control.
#pragma warning disable CA5350
                sha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
#pragma warning restore CA5350
                _scriptShas[script] = sha;
            }

            return sha;
        }
    }

    private static RedisValue[] EvalArgs(string scriptOrSha, IReadOnlyList<string>? keys, IReadOnlyList<RedisValue>? args)
    {
        var keyCount = keys?.Count ?? 0;
        var result = new RedisValue[2 + keyCount + (args?.Count ?? 0)];
        result[0] = scriptOrSha;
        result[1] = keyCount;
        for (var i = 0; i < keyCount; i++)
        {
            result[2 + i] = Key(keys![i]);
        }

        for (var i = 0; i < (args?.Count ?? 0); i++)
        {
            result[2 + keyCount + i] = args![i];
        }

        return result;
    }

    private static RedisValue[] SetArgs(string key, RedisValue value, TimeSpan? expiry, SetCondition condition, bool keepTtl, bool get)
    {
        if (expiry is not null && keepTtl)
        {
            throw new ArgumentException("SET takes either an expiry or KEEPTTL, not both.", nameof(keepTtl));
        }

        if (value.IsNull)
        {
            throw new ArgumentException("Redis cannot store a nil value; use DeleteAsync.", nameof(value));
        }

        var args = new List<RedisValue>(6) { Key(key), value };
        if (expiry is { } ttl)
        {
            AddExpiry(args, ttl);
        }
        else if (keepTtl)
        {
            args.Add("KEEPTTL");
        }

        switch (condition)
        {
            case SetCondition.NotExists:
                args.Add("NX");
                break;
            case SetCondition.Exists:
                args.Add("XX");
                break;
            case SetCondition.Always:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(condition));
        }

        if (get)
        {
            args.Add("GET");
        }

        return [.. args];
    }

    private static void AddExpiry(List<RedisValue> args, TimeSpan expiry)
    {
        var milliseconds = Milliseconds(expiry);
        if (milliseconds % 1000 == 0)
        {
            args.Add("EX");
            args.Add(milliseconds / 1000);
        }
        else
        {
            args.Add("PX");
            args.Add(milliseconds);
        }
    }

    private static long Milliseconds(TimeSpan expiry)
    {
        var milliseconds = (long)expiry.TotalMilliseconds;
        return milliseconds > 0 ? milliseconds : throw new ArgumentOutOfRangeException(nameof(expiry), "An expiry must be at least 1 ms.");
    }

    private static RedisValue Key(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key;
    }

    private static RedisValue[] Keys(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = keys.Select(Key).ToArray();
        return result.Length > 0 ? result : throw new ArgumentException("At least one key is required.", nameof(keys));
    }

    private static RedisValue[] NonEmpty(IEnumerable<RedisValue> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        var result = values.ToArray();
        return result.Length > 0 ? result : throw new ArgumentException("At least one value is required.", name);
    }
}
