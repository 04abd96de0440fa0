using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Regions;
using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>
/// The shared store of stateless Pix nodes: a Redis Cluster (StackExchange.Redis). Each participant's queue, streams,
/// claims, leases, idle deadlines and dedup keys share one hash tag, so every port call is one Lua script, atomic on
/// one shard and one round trip (plus the replica wait of <see cref="RedisDurability.Replica"/>). Appends publish on
/// the participant's sharded channel, which wakes parked polls on every node. Layout and reasons: docs/redis-store.md.
/// </summary>
public sealed partial class RedisQueueStore : IQueueStore, IAppendFeed, ITokenKeySource
{
    private readonly RedisStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly byte[] _instance = RandomNumberGenerator.GetBytes(13);
    private readonly ConcurrentDictionary<EndPoint, ReplicaWait> _waits = new();
    private readonly ConcurrentDictionary<Ispb, byte> _known = new();
    private readonly ConcurrentDictionary<Ispb, byte> _watched = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly long _window;
    private long _ids;
    private long _lastMarkMicros;
    private volatile StoreHealth _health = StoreHealth.Ok;
    private long _failedAtMs;
    private readonly RedisPlacement _placement;
    private readonly RegionOwnership? _regions;
    private readonly RedisRegionMap? _regionMap;

    public RedisQueueStore(RedisStoreOptions options)
    {
        _options = options;
        _logger = options.Logger;
        _window = (long)options.DedupWindow.TotalMilliseconds;
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        // Never give up on the cluster: a node down is a 503 for now, not a dead process.
        configuration.AbortOnConnectFail = false;
        // A command for a node that is down fails at once (503 + Retry-After) instead of queueing for the 5 s
        // timeout: with the whole cluster gone every request sat 5-6 s before its 503 (RedisOutageDrill).
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _redis = ConnectionMultiplexer.Connect(configuration);
        _redis.ConnectionFailed += (_, e) => Failed($"connection to {e.EndPoint} failed: {e.FailureType}");
        _redis.ConnectionRestored += (_, _) => Recovered();
        _db = _redis.GetDatabase();
        Probe = new RedisProbe(_redis);
        _regions = options.Regions;
        _placement = new RedisPlacement(_regions?.Ring);
        if (_regions is not null)
        {
            _regionMap = new RedisRegionMap(_redis, _regions.Ring);
            _regions.Loader = LoadMapAsync;
            _regions.Changed += OnMapChanged;
            // A node that was cut off may have missed a push: whenever a connection comes back, read the map again.
            _redis.ConnectionRestored += (_, _) => _ = _regions.RefreshAsync(TimeSpan.Zero);
            _ = FollowMapAsync(_regions, _regionMap);
            _stalls = new Timer(_ => NoticeStall(), null, StallCheck, StallCheck);
        }
    }

    /// <summary>Round trip and reachability of the cluster's primaries, probed off the request path.</summary>
    public RedisProbe Probe { get; }

    /// <summary>Where this store puts each participant's keys (region-prefixed hash tags with regions).</summary>
    public RedisPlacement Placement => _placement;

    internal string Prefix(Ispb ispb) => _placement.Prefix(ispb);

    public string Kind => "redis";

    public StoreHealth Health
    {
        get
        {
            if (!_redis.IsConnected) return StoreHealth.Failing("Redis is unreachable");
            return _health;
        }
    }

    public async ValueTask<AppendStatus> AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        batch.Outcomes.Clear();
        if (batch.Count == 0 && batch.Notices.Count == 0) return AppendStatus.Stored;
        // One atomic step per owner: deliverable messages go to their receiver's slot, quarantined ones to their
        // sender's. Each message's id is minted here, so a resend of the whole request meets its own dedup keys.
        var messages = batch.Messages;
        var owners = new Dictionary<Ispb, List<int>>();
        var ids = new ResourceId[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var owner = messages[i].Disposition == Disposition.Deliver ? messages[i].To : messages[i].From;
            if (!owners.TryGetValue(owner, out var indexes)) owners[owner] = indexes = new List<int>();
            indexes.Add(i);
            ids[i] = NextId();
        }
        // A notice goes with its receiver's step (a rejection's receiver is the sender whose quarantined message it
        // concerns, so both are on one slot).
        var notices = new Dictionary<Ispb, List<RedisValue>>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var notice in batch.Notices)
        {
            if (!owners.ContainsKey(notice.To)) owners[notice.To] = [];
            if (!notices.TryGetValue(notice.To, out var entries)) notices[notice.To] = entries = [];
            var entry = NextId();
            entries.Add(Bytes(entry));
            entries.Add(NoticeCodec.ToArray(entry, notice, notice.MessageIndex >= 0 ? ids[notice.MessageIndex] : default, now));
        }
        if (notices.Count > 0)
        {
            await Guard(Task.WhenAll(notices.Keys.Select(owner => _db.SortedSetAddAsync(RedisKeys.OutboxIndex, owner.ToString(), now)))).ConfigureAwait(false);
        }
        var outcomes = new AppendOutcome[messages.Count];
        var steps = new List<Task<bool>>(owners.Count);
        foreach (var (owner, indexes) in owners)
        {
            steps.Add(AppendOwnerAsync(owner, indexes, ids, notices.GetValueOrDefault(owner), batch, outcomes));
        }
        var results = await Guard(Task.WhenAll(steps)).ConfigureAwait(false);
        if (results.Any(stored => !stored)) return AppendStatus.Backlogged;
        batch.Outcomes.AddRange(outcomes);
        return AppendStatus.Stored;
    }

    private async Task<bool> AppendOwnerAsync(Ispb owner, List<int> indexes, ResourceId[] ids, List<RedisValue>? notices, AppendBatch batch, AppendOutcome[] outcomes)
    {
        var prefix = Prefix(owner);
        var delivers = indexes.Count > 0 && batch.Messages[indexes[0]].Disposition == Disposition.Deliver;
        var args = new List<RedisValue>(7 + indexes.Count * 4 + (notices?.Count ?? 0))
        {
            prefix, delivers && batch.MaxBacklog != long.MaxValue ? batch.MaxBacklog : -1, _window,
            _options.Quarantine.QuotaPerSender, (long)_options.Quarantine.Retention.TotalMilliseconds, indexes.Count,
        };
        foreach (var index in indexes)
        {
            var message = batch.Messages[index];
            var keyed = !message.BizMsgIdr.IsEmpty && message.Disposition == Disposition.Deliver;
            args.Add(Bytes(ids[index]));
            args.Add(keyed ? RedisKeys.Dedup(message.From, message.BizMsgIdr.Span) : RedisValue.EmptyString);
            args.Add(message.Disposition == Disposition.Deliver ? "0" : "1" + message.To);
            args.Add(message.Payload);
        }
        args.Add(notices is null ? 0 : notices.Count / 2);
        if (notices is not null) args.AddRange(notices);
        var route = RedisKeys.Route(prefix);
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(RedisScripts.Append, [route], [.. args]).ConfigureAwait(false))!;
        if (result.Length == 1 && (long)result[0] == -1) return false;
        for (var i = 0; i < indexes.Count; i++)
        {
            var stored = (byte[])result[i * 2]!;
            outcomes[indexes[i]] = new AppendOutcome(ResourceId.FromBytes(stored), (long)result[i * 2 + 1] == 1);
        }
        await DurableAsync(route).ConfigureAwait(false);
        Known(owner);
        return true;
    }

    public async ValueTask ListQuarantinedAsync(Ispb from, long sinceUnixMs, int max, List<QuarantinedMessage> into, CancellationToken cancellationToken = default)
    {
        var prefix = Prefix(from);
        var horizon = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)_options.Quarantine.Retention.TotalMilliseconds;
        var entries = await Guard(_db.SortedSetRangeByScoreWithScoresAsync(prefix + "qt", Math.Max(sinceUnixMs, horizon), double.PositiveInfinity, take: max)).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            var id = ResourceId.FromBytes((byte[])entry.Element!);
            if (await FindInAsync(from, id).ConfigureAwait(false) is { } message) into.Add(message);
        }
    }

    public async ValueTask<QuarantinedMessage?> FindQuarantinedAsync(ResourceId id, CancellationToken cancellationToken = default)
    {
        // No index by id (it would outlive what it points at): ask each participant's slot, as an operator view may.
        foreach (var from in await ParticipantsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await FindInAsync(from, id).ConfigureAwait(false) is { } message) return message;
        }
        return null;
    }

    public async ValueTask<byte[]?> ReadQuarantinedAsync(Ispb from, ResourceId id, CancellationToken cancellationToken = default)
    {
        var value = (byte[]?)await Guard(_db.HashGetAsync(Prefix(from) + "qm", Bytes(id))).ConfigureAwait(false);
        return value is null ? null : value[16..];
    }

    public async ValueTask<QuarantineDelivery> DeliverQuarantinedAsync(Ispb from, ResourceId id, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        var source = Prefix(from);
        var key = Bytes(id);
        var found = await Guard(_db.HashGetAsync(source + "qm", key)).ConfigureAwait(false);
        var to = await Guard(_db.HashGetAsync(source + "qi", key)).ConfigureAwait(false);
        if (found.IsNull || to.IsNull) return new QuarantineDelivery(QuarantineDeliveryStatus.NotFound, default, default);
        var receiver = Ispb.Parse(to.ToString());
        var prefix = Prefix(receiver);
        var route = RedisKeys.Route(prefix);
        // Into the receiver's queue first, then out of quarantine: a crash between leaves it in both, and a second
        // delivery meets its dedup key.
        var result = (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(RedisScripts.Keep, [route],
            [prefix, key, bizMsgIdr.IsEmpty ? RedisValue.EmptyString : RedisKeys.Dedup(from, bizMsgIdr.Span), found, _window])).ConfigureAwait(false))!;
        await Guard(DurableAsync(route)).ConfigureAwait(false);
        await Guard(_db.HashDeleteAsync(source + "qm", key)).ConfigureAwait(false);
        await Guard(_db.HashDeleteAsync(source + "qi", key)).ConfigureAwait(false);
        await Guard(_db.SortedSetRemoveAsync(source + "qt", key)).ConfigureAwait(false);
        await Guard(DurableAsync(RedisKeys.Route(source))).ConfigureAwait(false);
        Known(receiver);
        var kept = ResourceId.FromBytes((byte[])result[0]!);
        return new QuarantineDelivery((long)result[1] == 1 ? QuarantineDeliveryStatus.Duplicate : QuarantineDeliveryStatus.Delivered, kept, receiver);
    }

    private async Task<QuarantinedMessage?> FindInAsync(Ispb from, ResourceId id)
    {
        var prefix = Prefix(from);
        var key = Bytes(id);
        var value = (byte[]?)await Guard(_db.HashGetAsync(prefix + "qm", key)).ConfigureAwait(false);
        var to = await Guard(_db.HashGetAsync(prefix + "qi", key)).ConfigureAwait(false);
        if (value is null || to.IsNull) return null;
        var storedAt = long.Parse(value.AsSpan(0, 16), CultureInfo.InvariantCulture);
        return new QuarantinedMessage(id, from, Ispb.Parse(to.ToString()), storedAt, value.Length - 16);
    }

    public async ValueTask PendingNoticesAsync(List<PendingNotice> into, int max, CancellationToken cancellationToken = default)
    {
        var owners = await Guard(_db.SortedSetRangeByRankWithScoresAsync(RedisKeys.OutboxIndex, 0, 63)).ConfigureAwait(false);
        foreach (var owner in owners)
        {
            if (into.Count >= max) return;
            var ispb = Ispb.Parse(owner.Element.ToString());
            var entries = await Guard(_db.HashGetAllAsync(Prefix(ispb) + "outbox")).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                // Compare-and-set: an append that marked the participant meanwhile keeps its mark.
                await Guard(_db.ScriptEvaluateAsync(ReschedulePart, [RedisKeys.OutboxIndex],
                    [owner.Element, owner.Score.ToString("R", CultureInfo.InvariantCulture), -1])).ConfigureAwait(false);
                continue;
            }
            foreach (var entry in entries)
            {
                if (into.Count >= max) return;
                into.Add(NoticeCodec.Read((byte[])entry.Value!));
            }
        }
    }

    public async ValueTask<bool> DeliverNoticeAsync(PendingNotice notice, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        var prefix = Prefix(notice.To);
        var route = RedisKeys.Route(prefix);
        var sent = (long)await Guard(_db.ScriptEvaluateAsync(RedisScripts.Notice, [route],
            [prefix, Bytes(notice.EntryId), Bytes(NextId()), RedisKeys.Dedup(Ispb.Spi, bizMsgIdr.Span), payload, _window])).ConfigureAwait(false);
        await Guard(DurableAsync(route)).ConfigureAwait(false);
        return sent == 1;
    }

    private ResourceId NextId() => ResourceId.Create(_instance, (ulong)Interlocked.Increment(ref _ids));

    private static byte[] Bytes(ResourceId id)
    {
        var bytes = new byte[ResourceId.ByteLength];
        id.WriteBytes(bytes);
        return bytes;
    }

    public async ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, StreamTimes times, CancellationToken cancellationToken = default)
    {
        var epoch = EpochFor(ispb);
        var prefix = Prefix(ispb);
        var route = RedisKeys.Route(prefix);
        var id = (long)await Guard(_db.ScriptEvaluateAsync(RedisScripts.Open, [route], [prefix, maxStreams, times.IdleMilliseconds, epoch])).ConfigureAwait(false);
        if (id == -1) throw Fenced(ispb);
        // Marked before the replica wait, and on a full house too: if that wait fails (503) the stream exists all the
        // same, and only a mark lets a sweep find it; a participant whose six slots are held by such streams would
        // otherwise get 429 for good.
        await MarkDueAsync(ispb).ConfigureAwait(false);
        if (id == 0) return OpenResult.Full;
        await Guard(DurableAsync(route)).ConfigureAwait(false);
        Known(ispb);
        return new OpenResult(true, (ulong)id);
    }

    /// <summary>
    /// Marks a participant due now: the next sweep of any node reads the real deadline from its own slot. Each mark
    /// has its own score (negated microseconds, decreasing), so a sweep's compare-and-set reschedule sees that an open
    /// marked it meanwhile and keeps the mark; with one shared score a sweep could remove a newer open's mark.
    /// </summary>
    private Task MarkDueAsync(Ispb ispb)
    {
        var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        long last, micros;
        do
        {
            last = Volatile.Read(ref _lastMarkMicros);
            micros = Math.Max(last + 1, now);
        }
        while (Interlocked.CompareExchange(ref _lastMarkMicros, micros, last) != last);
        return Guard(_db.SortedSetAddAsync(RedisKeys.ReapIndex, ispb.ToString(), -micros, SortedSetWhen.LessThan));
    }

    public async ValueTask<StreamReadResult> ReadAsync(ReadRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        into.Clear();
        long epoch;
        try
        {
            epoch = EpochFor(request.Ispb);
        }
        catch (MisdirectedException) when (request.Mode is ReadMode.Release or ReadMode.FillAndRelease)
        {
            // The ISPB moved while this request was parked: let go of its lease (nothing else), so the owner's nodes
            // can serve the stream at once, then tell the client where to go (a client that left hears nothing).
            await ReadScriptAsync(request with { Mode = ReadMode.Release }, 0).ConfigureAwait(false);
            if (request.Mode == ReadMode.Release) return new StreamReadResult(ReadStatus.Ok, request.Batch);
            throw;
        }
        var result = await ReadScriptAsync(request, epoch).ConfigureAwait(false);
        var route = RedisKeys.Route(Prefix(request.Ispb));
        if ((long)result[0] == Fence) throw Fenced(request.Ispb);
        var status = (ReadStatus)(long)result[0];
        if (status != ReadStatus.Ok) return new StreamReadResult(status, 0);
        var batch = (uint)(long)result[1];
        into.Batch = batch;
        for (var i = 3; i < result.Length; i++) AddStored(into, (byte[]?)result[i]);
        // Only acknowledgements and claims must survive a failover; an empty cycle is recomputed from the token.
        if ((long)result[2] == 1) await Guard(DurableAsync(route)).ConfigureAwait(false);
        return new StreamReadResult(ReadStatus.Ok, batch);
    }

    private async Task<RedisResult[]> ReadScriptAsync(ReadRequest request, long epoch)
    {
        var prefix = Prefix(request.Ispb);
        return (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(RedisScripts.Read, [RedisKeys.Route(prefix)],
        [
            prefix, request.StreamId, request.Batch, (int)request.Mode, request.Max,
            request.Lease.ToString(CultureInfo.InvariantCulture), request.Times.LeaseMilliseconds, request.Times.IdleMilliseconds, epoch,
        ])).ConfigureAwait(false))!;
    }

    public async ValueTask<CloseResult> CloseStreamAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        var epoch = EpochFor(request.Ispb);
        var prefix = Prefix(request.Ispb);
        var route = RedisKeys.Route(prefix);
        var result = (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(RedisScripts.Close, [route], [prefix, request.StreamId, request.Batch, epoch])).ConfigureAwait(false))!;
        if ((long)result[0] == Fence) throw Fenced(request.Ispb);
        var status = (ReadStatus)(long)result[0];
        if (status == ReadStatus.Ok) await Guard(DurableAsync(route)).ConfigureAwait(false);
        return new CloseResult(status, (int)(long)result[1]);
    }

    public async ValueTask ExpireIdleAsync(List<ExpiredStream> expired, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var map = _regions?.Current;
        if (_regions is not null && map is null) return;
        // With regions the index also holds other regions' participants, whose own nodes reap them: look further.
        var due = await Guard(_db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.ReapIndex, double.NegativeInfinity, now, take: _regions is null ? 256 : 1024)).ConfigureAwait(false);
        foreach (var entry in due)
        {
            var ispb = Ispb.Parse(entry.Element.ToString());
            if (map is not null && !_regions!.Serves(map, ispb)) continue;
            var prefix = Prefix(ispb);
            var route = RedisKeys.Route(prefix);
            var result = (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(RedisScripts.Reap, [route], [prefix, map?.Epoch ?? 0])).ConfigureAwait(false))!;
            if ((long)result[0] == -2)
            {
                // Moved to another region at an epoch this node has not heard of: its owner reaps it.
                _ = _regions!.RefreshAsync(TimeSpan.Zero);
                continue;
            }
            for (var i = 1; i < result.Length; i += 2)
            {
                expired.Add(new ExpiredStream(ispb, (ulong)(long)result[i], (int)(long)result[i + 1]));
            }
            if (result.Length > 1) await Guard(DurableAsync(route)).ConfigureAwait(false);
            // Compare-and-set: an open that marked the participant due meanwhile keeps its mark.
            await Guard(_db.ScriptEvaluateAsync(ReschedulePart, [RedisKeys.ReapIndex],
                [entry.Element, entry.Score.ToString("R", CultureInfo.InvariantCulture), (long)result[0]])).ConfigureAwait(false);
        }
    }

    private const string ReschedulePart = """
        local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not current or tonumber(current) ~= tonumber(ARGV[2]) then return 0 end
        if tonumber(ARGV[3]) < 0 then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
        return 1
        """;

    public async ValueTask<IReadOnlyList<Ispb>> ParticipantsAsync(CancellationToken cancellationToken = default)
    {
        var members = await Guard(_db.SetMembersAsync(RedisKeys.Participants)).ConfigureAwait(false);
        return members.Select(m => Ispb.Parse(m.ToString())).ToList();
    }

    public async ValueTask<QueueStats> StatsAsync(Ispb ispb, CancellationToken cancellationToken = default)
    {
        var prefix = Prefix(ispb);
        var result = (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(RedisScripts.Stats, [RedisKeys.Route(prefix)], [prefix])).ConfigureAwait(false))!;
        var storedAt = (long)result[2];
        var now = (long)result[4];
        return new QueueStats((long)result[0], (long)result[1], storedAt == 0 ? 0 : Math.Max(0, now - storedAt), (int)(long)result[3]);
    }

    public void Watch(Ispb ispb, Action<Ispb, int> appended)
    {
        if (!_watched.TryAdd(ispb, 0)) return;
        _ = SubscribeAsync(ispb, appended);
    }

    // Off the request: a blocking subscribe on a read's path turned an unreachable Redis into a 500 (the exception
    // was not the port's), and the engine asks once per participant, so a subscription that failed was never made
    // again and polls parked on this node slept to their deadline. Until it is made, a parked poll still gets its
    // message at the deadline (the last fill), only later.
    private async Task SubscribeAsync(Ispb ispb, Action<Ispb, int> appended)
    {
        var channel = RedisChannel.Sharded(Prefix(ispb) + "wake");
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                await _redis.GetSubscriber().SubscribeAsync(channel, (_, count) => appended(ispb, (int)count)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed("the wake-ups of " + ispb, ex.Message);
                await Task.Delay(SubscribeRetry, _closing.Token).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan SubscribeRetry = TimeSpan.FromSeconds(1);

    public async ValueTask<byte[]> SharedTokenKeyAsync(CancellationToken cancellationToken = default)
    {
        // The first node to start creates it; every node, now and later, reads the same one.
        await Guard(_db.StringSetAsync(RedisKeys.TokenKey, RandomNumberGenerator.GetBytes(32), when: When.NotExists)).ConfigureAwait(false);
        await Guard(DurableAsync(RedisKeys.TokenKey)).ConfigureAwait(false);
        var key = (byte[]?)await Guard(_db.StringGetAsync(RedisKeys.TokenKey)).ConfigureAwait(false);
        return key is { Length: >= 32 } ? key : throw new StoreUnavailableException($"{RedisKeys.TokenKey} in Redis holds no usable token key.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_stalls is not null) await _stalls.DisposeAsync().ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        Probe.Dispose();
        await _redis.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    // A stored value is the 24-byte id, 16 digits of the time it was stored, then the payload.
    private static void AddStored(MessageBatch into, byte[]? value)
    {
        if (value is null || value.Length < 40)
        {
            into.Add(new StoredMessage(default, 0, 0, 0, 0));
            into.MarkDamaged(into.Count - 1);
            return;
        }
        var id = ResourceId.FromBytes(value);
        var storedAt = long.Parse(value.AsSpan(24, 16), CultureInfo.InvariantCulture);
        into.Add(new StoredMessage(id, 0, 0, value.Length - 40, storedAt), value.AsSpan(40));
    }

    private Task DurableAsync(RedisKey route)
    {
        if (_options.Durability != RedisDurability.Replica) return Task.CompletedTask;
        IServer server;
        try
        {
            server = _redis.GetServer(route);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Thrown before any task exists, so Guard would not see it: the port's one fault, as a faulted task.
            return Task.FromException(new StoreUnavailableException("Redis: " + ex.Message, ex));
        }
        return _waits.GetOrAdd(server.EndPoint, static (_, state) => new ReplicaWait(state.server, state.timeout, state.store.ReplicasToWaitFor),
            (server, timeout: _options.WaitMilliseconds, store: this)).WaitAsync();
    }

    /// <summary>Replicas a write waits for under <see cref="RedisDurability.Replica"/>: one without regions; with
    /// regions two (each shard has one replica in its own region and two in the other, so any two include one in the
    /// other region), and one in single-region mode, when the other region is gone and only local replicas answer.</summary>
    private int ReplicasToWaitFor() => _regions is null || _regions.Current is not { SingleRegion: false } ? 1 : 2;

    internal void Known(Ispb ispb)
    {
        if (_known.TryAdd(ispb, 0)) _db.SetAdd(RedisKeys.Participants, ispb.ToString(), CommandFlags.FireAndForget);
    }

    /// <summary>One script on the participant's slot (for the other Redis parts of the port, e.g. the sender gate).</summary>
    internal async Task<RedisResult[]> EvaluateAsync(string script, RedisKey route, RedisValue[] args) =>
        (RedisResult[])(await Guard(_db.ScriptEvaluateAsync(script, [route], args)).ConfigureAwait(false))!;

    /// <summary>One plain command, with the port's fault handling.</summary>
    internal Task<T> Run<T>(Func<IDatabase, Task<T>> command) => Guard(command(_db));

    // Every Redis fault becomes the port's one fault: the caller answers 503 with Retry-After.
    private async Task<T> Guard<T>(Task<T> call)
    {
        try
        {
            var result = await call.ConfigureAwait(false);
            Recovered();
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex.Message);
            throw new StoreUnavailableException("Redis: " + ex.Message, ex);
        }
    }

    private async Task Guard(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex.Message);
            throw new StoreUnavailableException("Redis: " + ex.Message, ex);
        }
    }

    private void Failed(string reason)
    {
        Volatile.Write(ref _failedAtMs, Environment.TickCount64);
        if (_health.Healthy) LogFailing(reason);
        _health = StoreHealth.Failing(reason);
    }

    // A success clears a failure only after a quiet second, so /readyz does not flap on every other call.
    private void Recovered()
    {
        if (_health.Healthy || Environment.TickCount64 - Volatile.Read(ref _failedAtMs) < 1000) return;
        _health = StoreHealth.Ok;
        LogRecovered();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is failing: {Reason}; requests that need it get 503 until it answers again")]
    private partial void LogFailing(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to {Ispb} failed ({Reason}); trying again in a second")]
    private partial void LogSubscribeFailed(string ispb, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again")]
    private partial void LogRecovered();
}
