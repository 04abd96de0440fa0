using System.Diagnostics;
using HdrHistogram;

namespace Pix.Bench.Dedup;

/// <summary>An HdrHistogram of nanoseconds (1 ns .. 100 s, 3 significant digits), one thread.</summary>
internal sealed class NanoHistogram
{
    public static readonly double[] Percentiles = [50, 90, 95, 99, 99.9, 99.99];

    private readonly LongHistogram _histogram = new(100_000_000_000L, 3);

    public void RecordSince(long startTimestamp)
    {
        var nanos = (Stopwatch.GetTimestamp() - startTimestamp) * 1_000_000_000 / Stopwatch.Frequency;
        _histogram.RecordValue(Math.Clamp(nanos, 1, _histogram.HighestTrackableValue));
    }

    public long Count => _histogram.TotalCount;

    public double Micros(double percentile) => Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMicros => Count == 0 ? 0 : _histogram.GetMaxValue() / 1000.0;

    public double MeanMicros => Count == 0 ? 0 : _histogram.GetMean() / 1000.0;

    public Dictionary<string, double> Summary() =>
        Percentiles.ToDictionary(p => $"p{p}", Micros).Append(new("max", MaxMicros)).Append(new("mean", MeanMicros))
            .ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3));
}
