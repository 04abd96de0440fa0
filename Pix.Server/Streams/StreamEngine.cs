using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Streams;
using Pix.Storage.Async;
using Pix.Storage.Collections;
using Pix.Server.Http;
using Pix.Storage;

namespace Pix.Server.Streams;

/// <summary>
/// The stream semantics of ICOM over an <see cref="IQueueStore"/>: opening streams, reading with acknowledgement by
/// advancing, repeated reads, long polls woken by appends, DELETE, and idle expiry. The store owns everything that
/// must hold across nodes and restarts (slots, batches, claims, the lease that makes a second request 409, idle
/// deadlines); the engine owns only the parked polls of this process and the sweeper that times them out and asks
/// the store to expire idle streams.
/// </summary>
internal sealed partial class StreamEngine : IAsyncDisposable
{
    private readonly IQueueStore _store;
    private readonly StreamOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Ispb, WaiterList> _waiters = new();
    // The same lists, for the sweep (every SweepMilliseconds): enumerating the ConcurrentDictionary allocated its
    // enumerator each time (64 B every 50 ms by default).
    private readonly SweepList<WaiterList> _listed = new();
    private readonly LeaseValues _leases = new();
    private readonly ITimer _sweeper;
    private readonly long _longPollTicks;
    private readonly StreamTimes _times;
    private readonly List<ExpiredStream> _expired = new();
    private readonly Action<Ispb, int> _notifyAppended;
    private long _lastIdleSweep;
    private int _expiring;
    private volatile bool _draining;
    private readonly int _quietSweeps;

    public StreamEngine(IQueueStore store, StreamOptions options, ILogger<StreamEngine> log, TimeProvider? clock = null)
    {
        _store = store;
        _notifyAppended = NotifyAppended;
        _options = options;
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _longPollTicks = (long)(options.LongPollSeconds * _clock.TimestampFrequency);
        // The lease outlives the poll by a margin for the last store round trip; a dead node's lease frees its
        // stream within that.
        _times = new StreamTimes((int)(options.LongPollSeconds * 1000) + LeaseMarginMilliseconds, (int)(options.IdleTimeoutSeconds * 1000));
        var period = TimeSpan.FromMilliseconds(options.SweepMilliseconds);
        // A participant's waiter list is forgotten after an idle timeout without polls or appends.
        _quietSweeps = (int)Math.Max(1, options.IdleTimeoutSeconds * 1000 / options.SweepMilliseconds);
        _sweeper = _clock.CreateTimer(_ => Sweep(), null, period, period);
    }

    private const int LeaseMarginMilliseconds = 2000;

    public StreamOptions Options => _options;

    /// <summary>Admission control: a parked poll does not count as a request in flight while it waits.</summary>
    public InFlightRequests? InFlight { get; init; }

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a pool shared by every thread (SharedPoolingBuilder). Each ValueTask is awaited once, as pooling requires.
    /// <summary>Opens a stream and reads its first batch (long-polling when the queue is empty).</summary>
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    public async ValueTask<(StreamOutcome Outcome, PullToken Next)> StartAsync(Ispb ispb, int max, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        into.Clear();
        var opened = await _store.OpenStreamAsync(ispb, _options.MaxPerIspb, _times, aborted).ConfigureAwait(false);
        if (!opened.Opened) return (StreamOutcome.Full, default);
        var result = await ReadWithPollAsync(new ReadRequest(ispb, opened.StreamId, 0, ReadMode.Advance, max, _leases.Next(), _times), into, waiter, aborted).ConfigureAwait(false);
        return (Outcome(result.Status), new PullToken(ispb, opened.StreamId, result.Batch, 0));
    }

    /// <summary>Reads on a <c>PI-Pull-Next</c> token: the current token acknowledges and advances; the previous one
    /// repeats the current batch; anything older is gone.</summary>
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    public async ValueTask<(StreamOutcome Outcome, PullToken Next)> NextAsync(PullToken token, int max, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        into.Clear();
        var result = await ReadWithPollAsync(new ReadRequest(token.Ispb, token.StreamId, token.Batch, ReadMode.Advance, max, _leases.Next(), _times), into, waiter, aborted).ConfigureAwait(false);
        return (Outcome(result.Status), token with { Batch = result.Batch });
    }

    /// <summary>Closes a stream. On the current token the last batch is acknowledged; on the previous one (its
    /// response was lost) the batch goes back to the queue. Any other token, or a closed stream: gone.</summary>
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    public async ValueTask<StreamOutcome> DeleteAsync(PullToken token, CancellationToken aborted)
    {
        var result = await _store.CloseStreamAsync(new CloseRequest(token.Ispb, token.StreamId, token.Batch), aborted).ConfigureAwait(false);
        if (result.Released > 0) Waiters(token.Ispb).Wake(result.Released);
        return Outcome(result.Status);
    }

    /// <summary>Drain (SIGTERM): every parked poll answers now (204 when nothing came) and no poll parks from here on,
    /// so clients take their <c>PI-Pull-Next</c> elsewhere instead of waiting on a node that is stopping.</summary>
    public void BeginDrain()
    {
        _draining = true;
        foreach (var list in _waiters.Values) list.Expire(long.MaxValue);
    }

    /// <summary>Called after messages for <paramref name="ispb"/> became durable: wakes up to that many parked polls.</summary>
    public void NotifyAppended(Ispb ispb, int count)
    {
        if (_waiters.TryGetValue(ispb, out var list)) list.Wake(count);
    }

    /// <summary>
    /// The first store step decides the token and claims; when the batch is empty the request keeps the stream's
    /// lease and parks until an append wakes it, the poll times out, or the client leaves. A client that left gives
    /// the lease back without claiming: messages are never claimed for a reader that will not receive them.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    private async ValueTask<StreamReadResult> ReadWithPollAsync(ReadRequest request, MessageBatch into, LongPollWaiter waiter, CancellationToken aborted)
    {
        var deadline = _clock.GetTimestamp() + _longPollTicks;
        var list = Waiters(request.Ispb);
        var seen = list.Version;
        var result = await _store.ReadAsync(request, into, aborted).ConfigureAwait(false);
        if (result.Status != ReadStatus.Ok || into.Count > 0) return result;
        request = request with { Mode = ReadMode.Fill, Batch = result.Batch };
        while (true)
        {
            if (aborted.IsCancellationRequested)
            {
                await _store.ReadAsync(request with { Mode = ReadMode.Release }, into, CancellationToken.None).ConfigureAwait(false);
                return result;
            }
            // Draining: a last look and the lease let go now, as at the deadline, so the poll answers at once.
            if (_draining || _clock.GetTimestamp() >= deadline)
            {
                return await _store.ReadAsync(request with { Mode = ReadMode.FillAndRelease }, into, aborted).ConfigureAwait(false);
            }
            var parked = waiter.Arm(deadline, aborted);
            if (list.TryPark(waiter, seen))
            {
                InFlight?.Parked();
                var woken = await parked.ConfigureAwait(false);
                InFlight?.Resumed();
                if (!woken) continue;
            }
            // Woken, or an append came between the last look and parking: look again.
            if (aborted.IsCancellationRequested)
            {
                // The wake-up was meant for a reader that can take the message: pass it on.
                list.Wake(1);
                continue;
            }
            // The sweeper may have retired the list while this poll held it: park on the live one from now on.
            if (list.Retired) list = Waiters(request.Ispb);
            seen = list.Version;
            result = await _store.ReadAsync(request, into, aborted).ConfigureAwait(false);
            if (result.Status != ReadStatus.Ok || into.Count > 0) return result;
        }
    }

    private static StreamOutcome Outcome(ReadStatus status) => status switch
    {
        ReadStatus.Ok => StreamOutcome.Ok,
        ReadStatus.Busy => StreamOutcome.Busy,
        _ => StreamOutcome.Gone,
    };

    /// <summary>How many participants the engine keeps waiter lists for (tests: state follows live streams).</summary>
    internal int WaiterListCount => _waiters.Count;

    private WaiterList Waiters(Ispb ispb)
    {
        if (_waiters.TryGetValue(ispb, out var list)) return list;
        list = _waiters.GetOrAdd(ispb, static key => new WaiterList(key));
        // Once per list, by the first caller that got it (one a racing GetOrAdd discarded is never returned, so never
        // listed); one the sweep retired meanwhile stays out (its poll looks its ISPB up again).
        if (list.SweepSlot < 0) _listed.Add(list);
        // Another node's append (or released batch) must wake the polls parked here too.
        (_store as IAppendFeed)?.Watch(ispb, _notifyAppended);
        return list;
    }

    private void Sweep()
    {
        try
        {
            var now = _clock.GetTimestamp();
            // Timer callbacks may overlap when a sweep runs long; the list runs one sweep at a time. While draining, a
            // poll that parked just as BeginDrain swept is woken here, within one sweep period.
            if (!_listed.Sweep((Engine: this, Now: _draining ? long.MaxValue : now), static (list, s) => s.Engine.Retire(list, s.Now))) return;
            if (now - _lastIdleSweep >= _clock.TimestampFrequency / 4 && Interlocked.Exchange(ref _expiring, 1) == 0)
            {
                _lastIdleSweep = now;
                _ = ExpireIdleAsync();
            }
        }
        catch (Exception e)
        {
            LogSweepFailed(e);
        }
    }

    // One list in a sweep: its parked polls past their deadline answered, and the list out of the map once it has been
    // quiet for long enough (true: the sweep takes it out of its list too).
    private bool Retire(WaiterList list, long now)
    {
        list.Expire(now);
        if (!list.TryRetire(_quietSweeps)) return false;
        _waiters.TryRemove(new KeyValuePair<Ispb, WaiterList>(list.Ispb, list));
        return true;
    }

    // The store decides which streams are idle and closes each once, however many nodes ask; a failed round is
    // simply tried again at the next sweep. A slow store delays only this, never the parked polls' deadlines.
    private async Task ExpireIdleAsync()
    {
        try
        {
            _expired.Clear();
            await _store.ExpireIdleAsync(_expired).ConfigureAwait(false);
            foreach (var stream in _expired)
            {
                LogExpired(stream.Ispb.ToString(), stream.StreamId, stream.Released);
                if (stream.Released > 0) Waiters(stream.Ispb).Wake(stream.Released);
            }
        }
        catch (Exception e)
        {
            LogExpireFailed(e);
        }
        finally
        {
            Volatile.Write(ref _expiring, 0);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiring idle streams failed; the next sweep tries again")]
    private partial void LogExpireFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stream sweeper failed")]
    private partial void LogSweepFailed(Exception e);
}
