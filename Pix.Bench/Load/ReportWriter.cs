using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pix.Bench.Load;

/// <summary>Writes the report folder: <c>report.md</c> for people, <c>summary.json</c> for machines, and the plots.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static LoadSummary Write(string folder, LoadSummary summary, IReadOnlyDictionary<string, LatencyHistogram> distributions)
    {
        Directory.CreateDirectory(folder);
        summary = summary with { Plots = PlotWriter.Write(folder, summary, distributions) };
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, Json));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(summary));
        if (summary.DrillTranscript is { } transcript) File.WriteAllLines(Path.Combine(folder, "dr.log"), transcript);
        return summary;
    }

    public static string Markdown(LoadSummary s)
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# pix-bench load: {s.Scenario} ({(s.Passed ? "PASSED" : "FAILED")})").AppendLine();
        md.AppendLine(string.Create(c, $"Run `{s.RunId}` against {s.Target}, started {s.StartedUtc:u}: {s.DurationSeconds:F0} s producing ")
            + (s.OfferedRate <= 0 ? "closed loop (each producer connection sends when answered)" : string.Create(c, $"at {s.OfferedRate:N0} msg/s"))
            + (s.RampTo > 1 ? string.Create(c, $" ramping to x{s.RampTo}") : "")
            + string.Create(c, $", then {s.DrainSeconds:F1} s draining; {s.Psps} PSPs with {s.Streams} streams")
            + (s.InvalidShare > 0 ? string.Create(c, $"; {s.InvalidShare:P1} of the messages invalid") : "") + ".").AppendLine();
        md.AppendLine("Numbers come from a shared 2-core VM where other developers build and test at the same time: treat them as noisy.").AppendLine();
        md.AppendLine("## Throughput (producing window)").AppendLine();
        md.AppendLine("| requests/s | messages/s accepted | messages/s delivered | requests total |");
        md.AppendLine("| ---: | ---: | ---: | ---: |");
        md.AppendLine(c, $"| {s.RequestsPerSecond:N0} | {s.MessagesAcceptedPerSecond:N0} | {s.MessagesDeliveredPerSecond:N0} | {s.Requests:N0} |").AppendLine();
        md.AppendLine("## Latency (ms)").AppendLine();
        md.AppendLine("| what | count | p50 | p90 | p99 | p99.9 | max |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Row(md, "POST, from intended send time (coordinated omission corrected)", s.ProducerCorrected);
        Row(md, "POST, service time only", s.ProducerService);
        Row(md, "delivery: intended send → received by a PSP", s.Delivery);
        md.AppendLine().AppendLine("## Per endpoint and status (service time, ms; GETs include long-poll waits)").AppendLine();
        md.AppendLine("| endpoint | status | count | per s | p50 | p99 | p99.9 | max |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var e in s.Endpoints)
            md.AppendLine(c, $"| {e.Endpoint} | {e.Status} | {e.Count:N0} | {e.PerSecond:N1} | {e.P50:F2} | {e.P99:F2} | {e.P999:F2} | {e.Max:F2} |");
        md.AppendLine().AppendLine("## 429 by cause, errors").AppendLine();
        foreach (var (cause, count) in s.TooManyByCause) md.AppendLine(c, $"- 429 {cause}: {count:N0}");
        if (s.TooManyByCause.Count == 0) md.AppendLine("- no 429");
        foreach (var (kind, count) in s.Errors) md.AppendLine(c, $"- error {kind}: {count:N0}");
        if (s.Errors.Count == 0) md.AppendLine("- no errors");
        md.AppendLine(c, $"- streams abandoned (left to the idle timeout): {s.AbandonedStreams:N0}");
        var l = s.Ledger;
        md.AppendLine().AppendLine("## Ledger: every message received exactly once?").AppendLine();
        md.AppendLine("| produced | accepted (valid) | accepted (invalid) | refused | not sent | received | lost | redelivered after abandon | unexpected duplicates | invalid delivered | admi.002 notices | missing notices |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(c, $"| {l.Produced:N0} | {l.Accepted:N0} | {l.AcceptedInvalid:N0} | {l.Refused:N0} | {l.NotSent:N0} | {l.ReceivedDistinct:N0} | {l.Lost:N0} | {l.DuplicatesAfterAbandon:N0} | {l.UnexpectedDuplicates:N0} | {l.InvalidDelivered:N0} | {l.Notices:N0} | {l.MissingNotices:N0} |");
        md.AppendLine().AppendLine(c, $"Unacknowledged at Pix after the drain: {(s.UnacknowledgedAfterDrain?.ToString(c) ?? "not measured")}.").AppendLine();
        Timeline(md, s);
        Alerts(md, s);
        ServerMemory(md, s);
        md.AppendLine("## Plots").AppendLine();
        foreach (var plot in s.Plots) md.AppendLine(c, $"![{plot}]({plot})");
        return md.ToString();
    }

    private static void Timeline(StringBuilder md, LoadSummary s)
    {
        if (s.Timeline is null) return;
        var c = CultureInfo.InvariantCulture;
        md.AppendLine("## Failover timeline").AppendLine();
        md.AppendLine("Seconds since the run started (dashed lines on the plots). Region A (the SPI's home) is frozen with SIGSTOP at *isolation*;"
            + " `dr watch` detects it, takes over its primaries and flips the map; *first read in B* is the first answer a PSP of A got from B;"
            + " A is thawed and `dr failback` returns its ISPBs.").AppendLine();
        md.AppendLine("| event | at (s) | after isolation (s) |");
        md.AppendLine("| --- | ---: | ---: |");
        var isolation = s.Timeline.FirstOrDefault(e => e.Name == "isolation")?.Second;
        foreach (var e in s.Timeline)
            md.AppendLine(c, $"| {e.Name} | {e.Second:F2} | {(isolation is null ? "" : (e.Second - isolation.Value).ToString("F2", c))} |");
        md.AppendLine();
        if (s.Survivors is { } b)
        {
            var last = b.LastUnavailableAfterIsolation is { } l ? $", the last sent {l.ToString("F2", c)} s after the isolation" : "";
            md.AppendLine(c, $"Region B's own PSPs, answered by B from the isolation on: {b.Answers:N0} answers, {b.Unavailable:N0} of them 503{last}; {b.OtherServerErrors:N0} other 5xx.")
                .AppendLine();
        }
    }

    private static void Alerts(StringBuilder md, LoadSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        md.AppendLine("## Alerts on the timeline").AppendLine();
        if (s.Window is { } w)
        {
            var pressure = w.Stalled ? "PSP streams stopped reading" : w.ExtraStreamsPerPsp > 0 ? $"{w.ExtraStreamsPerPsp} extra streams per PSP asked for slots"
                : w.FloodConnections > 0 ? $"{w.FloodConnections:N0} idle connections held open" : "pressure";
            md.AppendLine(c, $"Pressure window: {w.From:F0} s to {w.To:F0} s into the run ({pressure}).").AppendLine();
        }
        if (s.Alerts is null)
        {
            md.AppendLine("Not measured: give `--prometheus http://127.0.0.1:PORT` (a Prometheus scraping this node with ops/alerts.yml) to see when each alert would have fired.").AppendLine();
            return;
        }
        if (s.ExpectedAlert is not null) md.AppendLine(c, $"This scenario is built to raise **{s.ExpectedAlert}** and let it clear.").AppendLine();
        md.AppendLine("| alert | pending at (s) | firing at (s) | resolved at (s) | series |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var a in s.Alerts)
            md.AppendLine(c, $"| {a.Alert} | {Seconds(a.PendingAt)} | {Seconds(a.FiringAt)} | {(a.FiringAt is null ? "" : a.ResolvedAt is null ? "still firing" : Seconds(a.ResolvedAt))} | {a.Series} |");
        if (s.Alerts.Length == 0) md.AppendLine("| no Pix alert went pending | | | | |");
        md.AppendLine();
    }

    /// <summary>RSS and heap by minute of the run (the mean of the minute's samples): does memory follow live data
    /// or grow with history?</summary>
    private static void ServerMemory(StringBuilder md, LoadSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        var minutes = s.Seconds.Where(x => x.ServerRssMiB > 0).GroupBy(x => x.Second / 60)
            .Select(g => (Minute: g.Key + 1, Rss: g.Average(x => x.ServerRssMiB), Heap: g.Average(x => x.ServerHeapMiB), P99: g.Max(x => x.PostP99)))
            .ToArray();
        md.AppendLine("## Server memory").AppendLine();
        if (minutes.Length == 0)
        {
            md.AppendLine("Not sampled (the operator listener's /metrics did not answer).").AppendLine();
            return;
        }
        md.AppendLine("| minute | RSS MiB | managed heap MiB | worst second's POST p99 (ms) |");
        md.AppendLine("| ---: | ---: | ---: | ---: |");
        var shown = minutes.Length <= 12 ? minutes : minutes.Where(m => m.Minute is 1 or 2 || m.Minute % 5 == 0 || m.Minute == minutes[^1].Minute).ToArray();
        foreach (var m in shown) md.AppendLine(c, $"| {m.Minute} | {m.Rss:N0} | {m.Heap:N0} | {m.P99:F1} |");
        var tenth = minutes.FirstOrDefault(m => m.Minute == 10);
        var last = minutes.Where(m => m.Minute * 60 <= s.DurationSeconds + 60).LastOrDefault();
        if (tenth.Minute == 10 && last.Minute > 10)
            md.AppendLine().AppendLine(c, $"RSS at minute {last.Minute} is {(last.Rss / tenth.Rss - 1):+0.0%;-0.0%} of minute 10's.");
        md.AppendLine();
    }

    private static string Seconds(double? at) => at is null ? "" : at.Value.ToString("F0", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder md, string name, LatencySummary l) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {l.Count:N0} | {l.P50:F2} | {l.P90:F2} | {l.P99:F2} | {l.P999:F2} | {l.Max:F2} |");
}
