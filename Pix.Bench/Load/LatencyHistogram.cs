using HdrHistogram;

namespace Pix.Bench.Load;

/// <summary>An HdrHistogram of microseconds (1 µs .. 10 min, 3 significant digits) behind a lock: recording is a
/// few thousand calls a second from many tasks, far below where the lock would matter.</summary>
internal sealed class LatencyHistogram
{
    private readonly LongHistogram _histogram = new(TimeSpan.FromMinutes(10).Ticks / 10, 3);

    public void RecordTicks(long stopwatchTicks)
    {
        var micros = Math.Max(1, stopwatchTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);
        lock (_histogram) _histogram.RecordValue(Math.Min(micros, _histogram.HighestTrackableValue));
    }

    public long Count
    {
        get { lock (_histogram) return _histogram.TotalCount; }
    }

    /// <summary>The value at <paramref name="percentile"/> (0..100) in milliseconds; 0 when empty.</summary>
    public double Millis(double percentile)
    {
        lock (_histogram) return _histogram.TotalCount == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    public double MaxMillis
    {
        get { lock (_histogram) return _histogram.TotalCount == 0 ? 0 : _histogram.GetMaxValue() / 1000.0; }
    }
}
