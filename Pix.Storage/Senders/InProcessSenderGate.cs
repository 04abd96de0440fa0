using System.Collections.Concurrent;
using Pix.Protocol.Ids;

namespace Pix.Storage.Senders;

/// <summary>The sender gate of a single node (memory and embedded stores): buckets and windows in process memory,
/// which is right because no other node shares the senders. Allocation-free after a sender's first request.</summary>
public sealed class InProcessSenderGate(SenderGateSettings settings, TimeProvider clock) : ISenderGate
{
    private readonly ConcurrentDictionary<Ispb, Sender> _senders = new();
    private readonly ConcurrentDictionary<Ispb, DateTimeOffset> _isolated = new();

    public ValueTask<SenderDecision> AdmitAsync(Ispb sender, double cost, int messages, int failures, CancellationToken cancellationToken = default)
    {
        var state = _senders.GetOrAdd(sender, static (_, s) => new Sender(s.settings.Capacity, s.clock.GetTimestamp()), (settings, clock));
        var isolated = !_isolated.IsEmpty && _isolated.ContainsKey(sender);
        long total, failed;
        lock (state)
        {
            var now = clock.GetTimestamp();
            state.Tokens = Math.Min(settings.Capacity, state.Tokens + (double)(now - state.Stamp) / clock.TimestampFrequency * settings.RefillPerSecond);
            state.Stamp = now;
            if (state.Tokens < cost) return ValueTask.FromResult(SenderDecision.Refused(settings.RetryAfter(cost, state.Tokens)));
            state.Tokens -= cost;
            if (sender == Ispb.Spi) return ValueTask.FromResult(new SenderDecision(true, 0, false, false));
            var bucketTicks = Math.Max(1, (long)(settings.WindowSeconds / SenderGateSettings.WindowBuckets * clock.TimestampFrequency));
            var slot = now / bucketTicks;
            state.Advance(slot);
            state.Total[slot % SenderGateSettings.WindowBuckets] += messages;
            state.Failed[slot % SenderGateSettings.WindowBuckets] += failures;
            total = state.Sum(state.Total);
            failed = state.Sum(state.Failed);
        }
        var newly = !isolated && settings.Isolates(total, failed, failures) && _isolated.TryAdd(sender, clock.GetUtcNow());
        return ValueTask.FromResult(new SenderDecision(true, 0, isolated, newly));
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

    private sealed class Sender(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
        public readonly long[] Total = new long[SenderGateSettings.WindowBuckets];
        public readonly long[] Failed = new long[SenderGateSettings.WindowBuckets];
        private long _slot = -1;

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
