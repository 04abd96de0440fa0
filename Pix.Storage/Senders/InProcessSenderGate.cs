using System.Collections.Concurrent;
using Pix.Protocol.Ids;
using Pix.Storage.Collections;

namespace Pix.Storage.Senders;

/// <summary>The sender gate of a single node (memory and embedded stores): buckets and windows in process memory,
/// which is right because no other node shares the senders. Allocation-free after a sender's first request.</summary>
public sealed class InProcessSenderGate(SenderGateSettings settings, TimeProvider clock) : ISenderGate
{
    private readonly ConcurrentDictionary<Ispb, Sender> _senders = new();
    private readonly ConcurrentDictionary<Ispb, DateTimeOffset> _isolated = new();
    // The same states as _senders, for the sweep, which runs on a request's thread (enumerating the dictionary would
    // allocate there). Never taken while a state's lock is held.
    private readonly SweepList<Sender> _listed = new();
    private int _admitted;

    /// <summary>How many senders the gate keeps state for (tests: state follows live senders).</summary>
    public int SenderCount => _senders.Count;

    public ValueTask<SenderDecision> AdmitAsync(Ispb sender, double cost, int messages, int failures, CancellationToken cancellationToken = default)
    {
        if ((Interlocked.Increment(ref _admitted) & SweepEvery) == 0) ForgetQuietSenders();
        var isolated = !_isolated.IsEmpty && _isolated.ContainsKey(sender);
        long total, failed;
        while (true)
        {
            var state = _senders.GetOrAdd(sender, static (id, s) => new Sender(id, s.settings.Capacity, s.clock.GetTimestamp()), (settings, clock));
            // Once per state, by the first request that got it (one a racing GetOrAdd discarded is never returned, so
            // never listed); one the sweep forgot meanwhile stays out, and its request looks again below.
            if (state.SweepSlot < 0) _listed.Add(state);
            Monitor.Enter(state);
            // Forgotten by a sweep between the look-up and the lock: take the fresh state instead.
            if (state.Forgotten)
            {
                Monitor.Exit(state);
                continue;
            }
            try
            {
                if (Admit(state, sender, cost, messages, failures, out total, out failed) is { } final) return ValueTask.FromResult(final);
            }
            finally
            {
                Monitor.Exit(state);
            }
            break;
        }
        var newly = !isolated && settings.Isolates(total, failed, failures) && _isolated.TryAdd(sender, clock.GetUtcNow());
        return ValueTask.FromResult(new SenderDecision(true, 0, isolated, newly));
    }

    // Every so many requests the gate forgets senders whose bucket has refilled and whose window holds nothing: for
    // them a fresh state is the same, and state then follows the senders that are active, not every one ever seen.
    private const int SweepEvery = 4095;

    // A request's thread runs it; should the next one come due before it ends, one sweep is enough (the list's guard).
    private void ForgetQuietSenders() =>
        _listed.Sweep((Gate: this, Now: clock.GetTimestamp()), static (state, s) => s.Gate.Forget(state, s.Now));

    // One sender in a sweep: forgotten (out of the map, true) when its bucket is full and its window has nothing left
    // to decide; an isolated sender is kept, whatever its bucket.
    private bool Forget(Sender state, long now)
    {
        if (_isolated.ContainsKey(state.Id)) return false;
        lock (state)
        {
            var refilled = state.Tokens + (double)(now - state.Stamp) / clock.TimestampFrequency * settings.RefillPerSecond;
            if (refilled < settings.Capacity || state.Sum(state.Total) != 0 && !state.WindowPassed(now, settings, clock.TimestampFrequency)) return false;
            state.Forgotten = true;
            _senders.TryRemove(new KeyValuePair<Ispb, Sender>(state.Id, state));
        }
        return true;
    }

    // Caller holds the state's lock. The decision when it is already final (a refusal, or the SPI, which is never
    // isolated); null when admitted and the window's totals decide isolation.
    private SenderDecision? Admit(Sender state, Ispb sender, double cost, int messages, int failures, out long total, out long failed)
    {
        total = failed = 0;
        var now = clock.GetTimestamp();
        state.Tokens = Math.Min(settings.Capacity, state.Tokens + (double)(now - state.Stamp) / clock.TimestampFrequency * settings.RefillPerSecond);
        state.Stamp = now;
        if (state.Tokens < cost) return SenderDecision.Refused(settings.RetryAfter(cost, state.Tokens));
        state.Tokens -= cost;
        if (sender == Ispb.Spi) return new SenderDecision(true, 0, false, false);
        var bucketTicks = Math.Max(1, (long)(settings.WindowSeconds / SenderGateSettings.WindowBuckets * clock.TimestampFrequency));
        var slot = now / bucketTicks;
        state.Advance(slot);
        state.Total[slot % SenderGateSettings.WindowBuckets] += messages;
        state.Failed[slot % SenderGateSettings.WindowBuckets] += failures;
        total = state.Sum(state.Total);
        failed = state.Sum(state.Failed);
        return null;
    }

    public ValueTask<bool> ReleaseAsync(Ispb sender, CancellationToken cancellationToken = default)
    {
        if (_senders.TryGetValue(sender, out var state))
        {
            lock (state) state.Forget();
        }
        return ValueTask.FromResult(_isolated.TryRemove(sender, out _));
    }

    public ValueTask<IReadOnlyList<(Ispb Sender, DateTimeOffset Since)>> IsolatedAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<(Ispb, DateTimeOffset)>>(_isolated.Select(p => (p.Key, p.Value)).ToList());

    private sealed class Sender(Ispb id, double tokens, long stamp) : ISweepListed
    {
        public readonly Ispb Id = id;
        public double Tokens = tokens;
        public long Stamp = stamp;
        public readonly long[] Total = new long[SenderGateSettings.WindowBuckets];
        public readonly long[] Failed = new long[SenderGateSettings.WindowBuckets];
        private long _slot = -1;

        /// <summary>Taken out of the gate by a sweep; a request that locked it meanwhile looks again.</summary>
        public bool Forgotten;

        /// <summary>Its slot in the sweep's list.</summary>
        public int SweepSlot { get; set; } = -1;

        bool ISweepListed.LeftForGood => Volatile.Read(ref Forgotten);

        /// <summary>Whether the whole window lies before now (its counts no longer matter).</summary>
        public bool WindowPassed(long now, SenderGateSettings settings, long frequency)
        {
            var bucketTicks = Math.Max(1, (long)(settings.WindowSeconds / SenderGateSettings.WindowBuckets * frequency));
            return _slot < 0 || now / bucketTicks - _slot >= SenderGateSettings.WindowBuckets;
        }

        public void Advance(long slot)
        {
            if (_slot < 0 || slot - _slot >= SenderGateSettings.WindowBuckets)
            {
                Forget();
            }
            else
            {
                for (var s = _slot + 1; s <= slot; s++)
                {
                    Total[s % SenderGateSettings.WindowBuckets] = 0;
                    Failed[s % SenderGateSettings.WindowBuckets] = 0;
                }
            }
            _slot = slot;
        }

        public void Forget()
        {
            Array.Clear(Total);
            Array.Clear(Failed);
            _slot = -1;
        }

        // A loop, not LINQ: this runs on every ingest request.
        public long Sum(long[] values)
        {
            long sum = 0;
            foreach (var value in values) sum += value;
            return sum;
        }
    }
}
