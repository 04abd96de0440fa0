using System.Globalization;
using System.Text;

namespace Pix.Bench.Reads;

/// <summary>The figures of <c>reads</c>: one line per configuration as it finishes, then a table over all runs with
/// every run's value (the spread is the point on a shared machine) and each run's ratio to its own ceiling.</summary>
internal static class ReadReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void PrintLine(ReadResult result, IReadOnlyList<ReadResult> all, string unit)
    {
        var ratio = Ratio(result, all);
        // InvariantGlobalization: the current culture is the invariant one.
        Console.WriteLine($"  => {result.Configuration}: {result.Saturation.ReadsPerSecond:N0}/s"
            + (ratio is { } r ? $" = {r:P0} of the ceiling" : "")
            + (result.Saturation.ServerMicrosPerRead is { } cpu ? $", {cpu:F1} µs server CPU/{unit[..^1]}" : "")
            + (result.WrkReadsPerSecond is { } wrk ? $"; our client {result.Saturation.ReadsPerSecond / wrk:P0} of wrk ({wrk:N0})" : "")
            + (result.WrkMicrosPerRequest is { } wrkCpu ? $", client CPU {result.Saturation.ClientMicrosPerRead:F1} µs/{unit[..^1]} vs wrk's {wrkCpu:F1}" : ""));
    }

    /// <summary>Reads/s over the ceiling's reads/s measured by the same client in the same run.</summary>
    public static double? Ratio(ReadResult result, IReadOnlyList<ReadResult> all) =>
        all.FirstOrDefault(r => r.Run == result.Run && r.Configuration.IsCeiling) is { } ceiling && !result.Configuration.IsCeiling
            ? result.Saturation.ReadsPerSecond / ceiling.Saturation.ReadsPerSecond
            : null;

    public static string Table(IReadOnlyList<ReadResult> results, string unit)
    {
        var md = new StringBuilder();
        var configurations = results.Select(r => r.Configuration).Distinct().ToList();
        md.AppendLine("| measure (every run, in order) | " + string.Join(" | ", configurations) + " |");
        md.AppendLine("| --- |" + string.Concat(configurations.Select(_ => " ---: |")));
        Row(md, $"{unit}/s at saturation", results, configurations, r => r.Saturation.ReadsPerSecond, "N0");
        Row(md, "ratio to the ceiling (same run)", results, configurations, r => Ratio(r, results) * 100, "F0", suffix: " %");
        Row(md, $"server CPU µs per {unit[..^1]}", results, configurations, r => r.Saturation.ServerMicrosPerRead, "F1");
        Row(md, "server core share at saturation", results, configurations, r => r.Saturation.ServerCpuShare, "F2");
        Row(md, "client core share at saturation", results, configurations, r => r.Saturation.ClientCpuShare, "F2");
        Row(md, "p50 / p99 ms at saturation", results, configurations, r => r.Saturation.P50, "F2", second: r => r.Saturation.P99);
        Row(md, "p50 / p99 ms at half of saturation", results, configurations, r => r.Half?.P50, "F2", second: r => r.Half?.P99);
        // An open loop's latency counts from when a request was due: one slow answer delays the ones behind it on
        // its connection. This row is the server's part alone, from each request's send.
        Row(md, "p99 ms at half, from each request's send", results, configurations, r => r.Half?.ServiceP99, "F2");
        Row(md, "p99 ms at half, the client's own delay in sending", results, configurations, r => r.Half?.ClientDelayP99, "F2");
        // The embedded store's disk over each phase (warm-up included): what the durable answers waited on.
        Row(md, "fsyncs/s at saturation / at half", results, configurations, r => r.SaturationDisk?.FsyncsPerSecond, "N0", second: r => r.HalfDisk?.FsyncsPerSecond);
        Row(md, "log entries per fsync at saturation / at half", results, configurations, r => r.SaturationDisk?.EntriesPerFsync, "F1", second: r => r.HalfDisk?.EntriesPerFsync);
        Row(md, "group write + fsync, mean / p99 ms, at saturation", results, configurations, r => r.SaturationDisk?.MeanMilliseconds, "F2", second: r => r.SaturationDisk?.P99Milliseconds);
        Row(md, "group write + fsync, mean / p99 ms, at half", results, configurations, r => r.HalfDisk?.MeanMilliseconds, "F2", second: r => r.HalfDisk?.P99Milliseconds);
        Row(md, $"server bytes allocated per {unit[..^1]}", results, configurations, r => r.AllocatedBytesPerRead, "N0");
        Row(md, $"messages per {unit[..^1]}", results, configurations, r => r.Saturation.MessagesPerRead, "F1");
        Row(md, "wrk on the ceiling, requests/s", results, configurations, r => r.WrkReadsPerSecond, "N0");
        Row(md, "our client / wrk", results, configurations, r => r.WrkReadsPerSecond is { } w ? r.Saturation.ReadsPerSecond / w * 100 : null, "F0", suffix: " %");
        // On a shared core the rate favours whichever client gets more of it; CPU per request does not.
        Row(md, $"client CPU µs per {unit[..^1]}", results, configurations, r => r.Saturation.ClientMicrosPerRead, "F1");
        Row(md, "wrk CPU µs per request", results, configurations, r => r.WrkMicrosPerRequest, "F1");
        return md.ToString();
    }

    private static void Row(StringBuilder md, string name, IReadOnlyList<ReadResult> results, List<ReadConfiguration> configurations,
        Func<ReadResult, double?> value, string format, string suffix = "", Func<ReadResult, double?>? second = null)
    {
        var cells = configurations.Select(configuration =>
        {
            var values = results.Where(r => r.Configuration == configuration)
                .Select(r => (First: value(r), Second: second?.Invoke(r)))
                .Where(v => v.First is not null)
                .Select(v => v.First!.Value.ToString(format, C) + (v.Second is { } s ? " / " + s.ToString(format, C) : "") + suffix)
                .ToList();
            return values.Count == 0 ? "" : string.Join("; ", values);
        }).ToList();
        if (cells.All(c => c.Length == 0)) return;
        md.AppendLine($"| {name} | " + string.Join(" | ", cells) + " |");
    }
}
