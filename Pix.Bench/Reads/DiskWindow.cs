using System.Globalization;
using System.Text.RegularExpressions;

namespace Pix.Bench.Reads;

/// <summary>
/// What the embedded store's disk did over a phase, from two readings of Pix's <c>/metrics</c>: fsyncs a second, log
/// entries (requests, stream changes) each carried, and each group commit's write and fsync, mean and p99 (the p99 is
/// the upper bound of the histogram bucket it falls in). The disk's part of every durable answer, beside the latency
/// the client saw, in the same run.
/// </summary>
internal sealed partial record DiskWindow(double FsyncsPerSecond, double EntriesPerFsync, double MeanMilliseconds, double P99Milliseconds)
{
    /// <summary>The counters at one instant; null when the server has none (the memory store, the ceiling).</summary>
    public sealed record Reading(double Fsyncs, double Entries, double Seconds, IReadOnlyList<(double UpperBound, double Count)> Buckets, long Timestamp)
    {
        public static Reading? Parse(string metrics, long timestamp)
        {
            if (Sample(metrics, "pix_storage_fsyncs_total") is not { } fsyncs
                || Sample(metrics, "pix_storage_committed_entries_total") is not { } entries
                || Sample(metrics, "pix_storage_fsync_duration_seconds_sum") is not { } seconds)
                return null;
            var buckets = Bucket().Matches(metrics)
                .Select(m => (UpperBound: m.Groups[1].Value == "+Inf" ? double.PositiveInfinity : Number(m.Groups[1].Value), Count: Number(m.Groups[2].Value)))
                .OrderBy(b => b.UpperBound)
                .ToList();
            return new Reading(fsyncs, entries, seconds, buckets, timestamp);
        }
    }

    public string Describe() =>
        $"disk: {FsyncsPerSecond:N0} fsyncs/s, {EntriesPerFsync:F1} log entries each, group write + fsync {MeanMilliseconds:F2} ms mean, p99 ≤ {P99Milliseconds:F2} ms";

    public static DiskWindow? Between(Reading? before, Reading? after)
    {
        if (before is null || after is null) return null;
        var fsyncs = after.Fsyncs - before.Fsyncs;
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
        if (fsyncs <= 0 || seconds <= 0) return null;
        var p99 = double.NaN;
        foreach (var (bound, count) in after.Buckets)
        {
            var earlier = before.Buckets.FirstOrDefault(b => b.UpperBound == bound).Count;
            if (count - earlier < 0.99 * fsyncs) continue;
            p99 = bound * 1000;
            break;
        }
        return new DiskWindow(fsyncs / seconds, (after.Entries - before.Entries) / fsyncs, (after.Seconds - before.Seconds) / fsyncs * 1000, p99);
    }

    private static double? Sample(string metrics, string name) =>
        Regex.Match(metrics, "^" + name + @"(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline) is { Success: true } m ? Number(m.Groups[1].Value) : null;

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^pix_storage_fsync_duration_seconds_bucket\{[^}]*le=""([^""]+)""[^}]*\} ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Bucket();
}
