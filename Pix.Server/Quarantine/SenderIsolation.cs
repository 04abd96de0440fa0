using System.Collections.Concurrent;
using Pix.Protocol.Ids;

namespace Pix.Server.Quarantine;

/// <summary>
/// Tracks each sender's share of failing messages over a sliding window (ten buckets) and isolates a sender above
/// the ratio: all its messages then go to quarantine until an operator releases it.
/// </summary>
internal sealed class SenderIsolation(QuarantineOptions options, TimeProvider clock)
{
    private const int Buckets = 10;
    private readonly ConcurrentDictionary<Ispb, Window> _windows = new();
    private readonly ConcurrentDictionary<Ispb, DateTimeOffset> _isolated = new();

    public bool IsIsolated(Ispb sender) => !_isolated.IsEmpty && _isolated.ContainsKey(sender);

    public IReadOnlyDictionary<Ispb, DateTimeOffset> Isolated => _isolated;

    /// <summary>Counts one request's messages; true when this tipped the sender into isolation. The SPI itself is
    /// never isolated: it carries every PSP's traffic, and isolating it would stop the whole scheme; its failing
    /// messages are still quarantined one by one.</summary>
    public bool Record(Ispb sender, int messages, int failures)
    {
        if (sender == Ispb.Spi) return false;
        var window = _windows.GetOrAdd(sender, static _ => new Window());
        var bucketTicks = (long)(options.WindowSeconds / Buckets * clock.TimestampFrequency);
        var slot = clock.GetTimestamp() / Math.Max(1, bucketTicks);
        long total, failed;
        lock (window)
        {
            window.Advance(slot);
            window.Total[slot % Buckets] += messages;
            window.Failed[slot % Buckets] += failures;
            total = window.Total.Sum();
            failed = window.Failed.Sum();
        }
        if (failures == 0 || total < options.IsolateMinMessages || (double)failed / total <= options.IsolateAboveRatio) return false;
        return _isolated.TryAdd(sender, clock.GetUtcNow());
    }

    /// <summary>Lifts isolation and forgets the window, so the sender starts clean.</summary>
    public bool Release(Ispb sender)
    {
        _windows.TryRemove(sender, out _);
        return _isolated.TryRemove(sender, out _);
    }

    private sealed class Window
    {
        public readonly long[] Total = new long[Buckets];
        public readonly long[] Failed = new long[Buckets];
        private long _slot = -1;

        public void Advance(long slot)
        {
            if (_slot < 0 || slot - _slot >= Buckets)
            {
                Array.Clear(Total);
                Array.Clear(Failed);
            }
            else
            {
                for (var s = _slot + 1; s <= slot; s++)
                {
                    Total[s % Buckets] = 0;
                    Failed[s % Buckets] = 0;
                }
            }
            _slot = slot;
        }
    }
}
