using ScottPlot;

namespace Pix.Bench.Load;

/// <summary>The report's PNGs (ScottPlot): throughput over time, latency percentiles over time, latency distribution.</summary>
internal static class PlotWriter
{
    public const string Throughput = "throughput.png";
    public const string LatencyOverTime = "latency-over-time.png";
    public const string Distribution = "latency-distribution.png";
    public const string Memory = "server-memory.png";

    public static string[] Write(string folder, LoadSummary summary, IReadOnlyDictionary<string, LatencyHistogram> distributions)
    {
        var seconds = summary.Seconds.Select(s => (double)s.Second).ToArray();

        var throughput = new Plot();
        Line(throughput, seconds, summary.Seconds.Select(s => (double)s.Requests).ToArray(), "requests/s");
        Line(throughput, seconds, summary.Seconds.Select(s => (double)s.Accepted).ToArray(), "messages/s accepted (201)");
        Line(throughput, seconds, summary.Seconds.Select(s => (double)s.Delivered).ToArray(), "messages/s delivered");
        Line(throughput, seconds, summary.Seconds.Select(s => (double)s.TooMany).ToArray(), "429/s");
        var offered = summary.OfferedRate <= 0 ? "closed loop" : $"offered {summary.OfferedRate:N0} msg/s{(summary.RampTo > 1 ? $" → x{summary.RampTo}" : "")}";
        Events(throughput, summary);
        Finish(throughput, $"Throughput over time ({summary.Scenario}, {offered})",
            "seconds since start", "per second");
        throughput.SavePng(Path.Combine(folder, Throughput), 1000, 500);

        var latency = new Plot();
        Line(latency, seconds, summary.Seconds.Select(s => s.PostP50).ToArray(), "POST p50 (CO-corrected)");
        Line(latency, seconds, summary.Seconds.Select(s => s.PostP99).ToArray(), "POST p99 (CO-corrected)");
        Line(latency, seconds, summary.Seconds.Select(s => s.DeliveryP50).ToArray(), "delivery p50");
        Line(latency, seconds, summary.Seconds.Select(s => s.DeliveryP99).ToArray(), "delivery p99");
        Events(latency, summary);
        Finish(latency, "Latency percentiles over time", "seconds since start", "milliseconds");
        latency.SavePng(Path.Combine(folder, LatencyOverTime), 1000, 500);

        // The usual HdrHistogram view: x = percentile on a log scale of 1/(1-p), so the tail gets room.
        var distribution = new Plot();
        double[] percentiles = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];
        var xs = percentiles.Select(p => Math.Log10(1 / (1 - p / 100.0))).ToArray();
        foreach (var (name, histogram) in distributions)
        {
            if (histogram.Count == 0) continue;
            Line(distribution, xs, percentiles.Select(histogram.Millis).ToArray(), name);
        }
        distribution.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, percentiles.Select(p => p + "%").ToArray());
        Finish(distribution, "Latency distribution (percentile)", "percentile", "milliseconds");
        distribution.SavePng(Path.Combine(folder, Distribution), 1000, 500);

        // Seconds the probe missed are left out rather than drawn as zero.
        var sampled = summary.Seconds.Where(s => s.ServerRssMiB > 0).ToArray();
        if (sampled.Length == 0) return [Throughput, LatencyOverTime, Distribution];
        var memory = new Plot();
        var at = sampled.Select(s => (double)s.Second).ToArray();
        Line(memory, at, sampled.Select(s => s.ServerRssMiB).ToArray(), "server RSS");
        Line(memory, at, sampled.Select(s => s.ServerHeapMiB).ToArray(), "managed heap after the last GC");
        Finish(memory, "Server memory over time (sampled every second)", "seconds since start", "MiB");
        memory.SavePng(Path.Combine(folder, Memory), 1000, 500);
        return [Throughput, LatencyOverTime, Memory, Distribution];
    }

    // Failover: a dashed vertical line, labelled, per event of the timeline.
    private static void Events(Plot plot, LoadSummary summary)
    {
        foreach (var e in summary.Timeline ?? [])
        {
            var line = plot.Add.VerticalLine(e.Second);
            line.LinePattern = LinePattern.Dashed;
            // Events seconds apart would print their labels over each other: the legend names them.
            line.LegendText = $"{e.Name} ({e.Second:F1} s)";
        }
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string label)
    {
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = label;
        scatter.MarkerSize = 3;
    }

    private static void Finish(Plot plot, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
