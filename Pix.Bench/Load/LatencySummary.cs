namespace Pix.Bench.Load;

/// <summary>Percentiles of one histogram, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary Of(LatencyHistogram h) =>
        new(h.Count, h.Millis(50), h.Millis(90), h.Millis(99), h.Millis(99.9), h.MaxMillis);
}
