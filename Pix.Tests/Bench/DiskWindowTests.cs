using Pix.Bench.Reads;

namespace Pix.Tests.Bench;

/// <summary>The bench's disk rows: two readings of /metrics make fsyncs a second, entries per fsync, and the group
/// commit's mean and p99 (the bucket the 99th percentile of the window's fsyncs falls in).</summary>
public sealed class DiskWindowTests
{
    [Fact]
    public void TwoReadingsGiveTheWindowsRateGroupSizeMeanAndP99Bucket()
    {
        var before = DiskWindow.Reading.Parse(Exposition(fsyncs: 100, entries: 1_000, seconds: 0.1, (0.001, 90), (0.0025, 100), (double.PositiveInfinity, 100)), timestamp: 0)!;
        // 1,000 fsyncs later: 985 under 1 ms, 10 more under 2.5 ms, 5 above (0.5 %): the p99 is in the 2.5 ms bucket.
        var after = DiskWindow.Reading.Parse(Exposition(fsyncs: 1_100, entries: 21_000, seconds: 1.6, (0.001, 1_075), (0.0025, 1_095), (double.PositiveInfinity, 1_100)),
            timestamp: System.Diagnostics.Stopwatch.Frequency * 2)!;

        var window = DiskWindow.Between(before, after)!;

        Assert.Equal(500, window.FsyncsPerSecond, 6);
        Assert.Equal(20, window.EntriesPerFsync, 6);
        Assert.Equal(1.5, window.MeanMilliseconds, 6);
        Assert.Equal(2.5, window.P99Milliseconds, 6);
    }

    [Fact]
    public void AServerWithoutTheEmbeddedStoresSeriesHasNoDiskRow()
    {
        Assert.Null(DiskWindow.Reading.Parse("pix_requests_total{route=\"in\"} 5\n", 0));
        var reading = DiskWindow.Reading.Parse(Exposition(10, 10, 0.01, (double.PositiveInfinity, 10)), 0);
        // No fsync in between: no window, rather than a division by zero printed as a figure.
        Assert.Null(DiskWindow.Between(reading, reading));
    }

    private static string Exposition(double fsyncs, double entries, double seconds, params (double Le, double Count)[] buckets) =>
        $"pix_storage_fsyncs_total{{otel_scope_name=\"Pix\"}} {fsyncs}\n"
        + $"pix_storage_committed_entries_total{{otel_scope_name=\"Pix\"}} {entries}\n"
        + string.Concat(buckets.Select(b => $"pix_storage_fsync_duration_seconds_bucket{{otel_scope_name=\"Pix\",le=\"{(double.IsPositiveInfinity(b.Le) ? "+Inf" : b.Le.ToString(System.Globalization.CultureInfo.InvariantCulture))}\"}} {b.Count}\n"))
        + $"pix_storage_fsync_duration_seconds_sum{{otel_scope_name=\"Pix\"}} {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n"
        + $"pix_storage_fsync_duration_seconds_count{{otel_scope_name=\"Pix\"}} {fsyncs}\n";
}
