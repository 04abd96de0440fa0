using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Streams;
using Pix.Server.Http;
using Pix.Storage;

namespace Pix.Server.Streams;

/// <summary>
/// The stream semantics of ICOM over an <see cref="IQueueStore"/>: opening streams, reading with acknowledgement by
/// advancing, repeated reads, long polls woken by appends, DELETE, and idle expiry. The store owns slots, batches
/// and claims (so they survive restarts); the engine owns what only matters while the process lives: in-flight
/// requests, last use, and parked polls.
/// </summary>
internal sealed partial class StreamEngine : IAsyncDisposable
{
    private readonly IQueueStore _store;
    private readonly StreamOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<(Ispb, ulong), StreamSession> _sessions = new();
    private readonly ConcurrentDictionary<Ispb, WaiterList> _waiters = new();
    private readonly ITimer _sweeper;
    private readonly long _longPollTicks;
    private readonly long _idleTicks;
    private long _lastIdleSweep;
    private int _sweeping;

    public StreamEngine(IQueueStore store, StreamOptions options, ILogger<StreamEngine> log, TimeProvider? clock = null)
    {
        _store = store;
        _options = options;
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _longPollTicks = (long)(options.LongPollSeconds * _clock.TimestampFrequency);
        _idleTicks = (long)(options.IdleTimeoutSeconds * _clock.TimestampFrequency);
        // Streams that were open before a restart start their idle clock now.
        var now = _clock.GetTimestamp();
        foreach (var (ispb, id) in store.OpenStreams()) _sessions[(ispb, id)] = new StreamSession(id, now);
        var period = TimeSpan.FromMilliseconds(options.SweepMilliseconds);
        _sweeper = _clock.CreateTimer(_ => Sweep(), null, period, period);
    }

    public StreamOptions Options => _options;

    /// <summary>Admission control: a parked poll does not count as a request in flight while it waits.</summary>
    public InFlightRequests? InFlight { get; init; }

    public int OpenSessions => _sessions.Count;

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a per-thread cache instead of a new allocation. Each ValueTask is awaited once, as pooling requires.
    /// <summary>Opens a stream and reads its first batch (long-polling when the queue is empty).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ReadStatus Status, PullToken Next)> StartAsync(Ispb ispb, int max, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        into.Clear();
        var opened = await _store.OpenStreamAsync(ispb, _options.MaxPerIspb, aborted).ConfigureAwait(false);
        if (!opened.Opened) return (ReadStatus.Full, default);
        var session = new StreamSession(opened.StreamId, _clock.GetTimestamp());
        session.TryEnter(out _);
        _sessions[(ispb, opened.StreamId)] = session;
        try
        {
            var status = await ClaimWithPollAsync(new ClaimRequest(ispb, opened.StreamId, 1, false, max), into, waiter, aborted).ConfigureAwait(false);
            return (status, new PullToken(ispb, opened.StreamId, into.Batch == 0 ? 1 : into.Batch, 0));
        }
        finally
        {
            session.Exit(_clock.GetTimestamp());
        }
    }

    /// <summary>Reads on a <c>PI-Pull-Next</c> token: the current token acknowledges and advances; the previous one
    /// repeats the current batch; anything older is gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ReadStatus Status, PullToken Next)> NextAsync(PullToken token, int max, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        into.Clear();
        if (!_sessions.TryGetValue((token.Ispb, token.StreamId), out var session)) return (ReadStatus.Gone, default);
        if (!session.TryEnter(out var expiring)) return (expiring ? ReadStatus.Gone : ReadStatus.Busy, default);
        try
        {
            if (!_store.TryGetStream(token.Ispb, token.StreamId, out var position)) return (ReadStatus.Gone, default);
            ClaimRequest request;
            if (token.Batch == position.Batch) request = new(token.Ispb, token.StreamId, position.Batch + 1, true, max);
            else if (token.Batch + 1 == position.Batch) request = new(token.Ispb, token.StreamId, position.Batch, false, max);
            else return (ReadStatus.Gone, default);
            var status = await ClaimWithPollAsync(request, into, waiter, aborted).ConfigureAwait(false);
            return (status, token with { Batch = into.Batch == 0 ? request.Batch : into.Batch });
        }
        finally
        {
            session.Exit(_clock.GetTimestamp());
        }
    }

    /// <summary>Closes a stream. On the current token the last batch is acknowledged; on the previous one (its
    /// response was lost) the batch goes back to the queue. Any other token, or a closed stream: gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadStatus> DeleteAsync(PullToken token, CancellationToken aborted)
    {
        var key = (token.Ispb, token.StreamId);
        if (!_sessions.TryGetValue(key, out var session)) return ReadStatus.Gone;
        if (!session.TryEnter(out var expiring)) return expiring ? ReadStatus.Gone : ReadStatus.Busy;
        var closed = false;
        try
        {
            if (!_store.TryGetStream(token.Ispb, token.StreamId, out var position)) return ReadStatus.Gone;
            bool acknowledge;
            if (token.Batch == position.Batch) acknowledge = true;
            else if (token.Batch + 1 == position.Batch) acknowledge = false;
            else return ReadStatus.Gone;
            closed = await _store.CloseStreamAsync(token.Ispb, token.StreamId, acknowledge, aborted).ConfigureAwait(false);
            if (!closed) return ReadStatus.Gone;
            if (!acknowledge && position.Claimed > 0) Waiters(token.Ispb).Wake(position.Claimed);
            return ReadStatus.Ok;
        }
        finally
        {
            if (closed)
            {
                session.MarkClosed();
                _sessions.TryRemove(key, out _);
            }
            else
            {
                session.Exit(_clock.GetTimestamp());
            }
        }
    }

    /// <summary>Called after messages for <paramref name="ispb"/> became durable: wakes up to that many parked polls.</summary>
    public void NotifyAppended(Ispb ispb, int count)
    {
        if (_waiters.TryGetValue(ispb, out var list)) list.Wake(count);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadStatus> ClaimWithPollAsync(ClaimRequest request, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        var deadline = _clock.GetTimestamp() + _longPollTicks;
        var list = Waiters(request.Ispb);
        while (true)
        {
            var seen = list.Version;
            var claimed = await _store.ClaimAsync(request, into, aborted).ConfigureAwait(false);
            if (claimed == ClaimStatus.Gone || claimed == ClaimStatus.Stale) return ReadStatus.Gone;
            if (into.Count > 0) return ReadStatus.Ok;
            // The acknowledgement (if any) is done; later rounds only fill the now-current batch.
            request = request with { AcknowledgePrevious = false, Batch = into.Batch };
            if (_clock.GetTimestamp() >= deadline || aborted.IsCancellationRequested) return ReadStatus.Ok;
            var parked = waiter.Arm(deadline, aborted);
            if (!list.TryPark(waiter, seen)) continue;
            InFlight?.Parked();
            var woken = await parked.ConfigureAwait(false);
            InFlight?.Resumed();
            // Woken or timed out; a client that went away must not claim messages it will never receive.
            if (!woken && aborted.IsCancellationRequested) return ReadStatus.Ok;
        }
    }

    private WaiterList Waiters(Ispb ispb) => _waiters.GetOrAdd(ispb, static _ => new WaiterList());

    private void Sweep()
    {
        // Timer callbacks may overlap when a sweep runs long; one at a time is enough.
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        try
        {
            var now = _clock.GetTimestamp();
            foreach (var list in _waiters.Values) list.Expire(now);
            if (now - _lastIdleSweep < _clock.TimestampFrequency / 4) return;
            _lastIdleSweep = now;
            foreach (var (key, session) in _sessions)
            {
                if (now - session.LastUsedTicks < _idleTicks || !session.TryBeginExpiry()) continue;
                _sessions.TryRemove(key, out _);
                _ = ExpireAsync(key.Item1, key.Item2);
            }
        }
        catch (Exception e)
        {
            LogSweepFailed(e);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private async Task ExpireAsync(Ispb ispb, ulong streamId)
    {
        try
        {
            _store.TryGetStream(ispb, streamId, out var position);
            if (await _store.CloseStreamAsync(ispb, streamId, acknowledge: false).ConfigureAwait(false))
            {
                LogExpired(ispb.ToString(), streamId, position.Claimed);
                if (position.Claimed > 0) Waiters(ispb).Wake(position.Claimed);
            }
        }
        catch (Exception e)
        {
            LogExpireFailed(e, ispb.ToString(), streamId);
        }
    }

    public ValueTask DisposeAsync()
    {
        _sweeper.Dispose();
        foreach (var list in _waiters.Values) list.Expire(long.MaxValue);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} of {Ispb} expired after idling; {Released} unacknowledged messages go back to the queue")]
    private partial void LogExpired(string ispb, ulong streamId, int released);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring stream {StreamId} of {Ispb} failed; it will be retried")]
    private partial void LogExpireFailed(Exception e, string ispb, ulong streamId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stream sweeper failed")]
    private partial void LogSweepFailed(Exception e);
}
