using System.Globalization;
using System.Text;
using System.Text.Json;
using Pix.Bench.Dedup;
using ScottPlot;

namespace Pix.Bench.Commands;

/// <summary><c>dedup-report --out DIR</c>: every <c>{engine}-{keys}.json</c> in DIR as one markdown table
/// (<c>dedup-results.md</c>) and one latency distribution plot (<c>dedup-lookup-latency.png</c>).</summary>
internal static class DedupReportCommand
{
    public static int Run(CommandArguments args)
    {
        var outDir = args.Required("out");
        var results = Directory.GetFiles(outDir, "*.json")
            .Select(f => JsonSerializer.Deserialize<DedupRunResult>(File.ReadAllText(f))!)
            .OrderBy(r => r.Keys).ThenBy(r => r.Engine).ToList();
        if (results.Count == 0)
        {
            Console.Error.WriteLine($"No results in {outDir}.");
            return 2;
        }
        var table = new StringBuilder();
        table.AppendLine("| engine | keys | insert keys/s | add p99 µs | lookup p50 / p99 / p99.9 µs (cold) | absent p99 µs | present p50 µs | RSS after lookups | managed heap | disk | open s | next 8 h keys/s | expiry | wrong |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
        foreach (var r in results)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Engine} | {r.Keys:N0} | {r.InsertKeysPerSecond:N0} | {r.AddMicros["p99"]:F1} | {r.LookupMicros["p50"]:F1} / {r.LookupMicros["p99"]:F1} / {r.LookupMicros["p99.9"]:F1} | " +
                $"{r.AbsentMicros["p99"]:F1} | {r.PresentMicros["p50"]:F1} | {DedupBenchCommand.Mib(r.RssAfterLookups)} | {DedupBenchCommand.Mib(r.HeapAfterLookups)} | " +
                $"{DedupBenchCommand.Mib(r.DiskBytes)} | {r.OpenSeconds:F1} | {r.ExpiryKeysPerSecond:N0} | {r.Expiry}; disk after {DedupBenchCommand.Mib(r.DiskBytesAfterExpiry)} | {r.WrongAnswers} |"));
        }
        File.WriteAllText(Path.Combine(outDir, "dedup-results.md"), table.ToString());
        Console.Write(table);

        var plot = new Plot();
        double[] percentiles = [50, 90, 95, 99, 99.9, 99.99];
        var xs = percentiles.Select(p => Math.Log10(1 / (1 - p / 100.0))).ToArray();
        foreach (var r in results)
        {
            var ys = percentiles.Select(p => r.LookupMicros.TryGetValue($"p{p.ToString(CultureInfo.InvariantCulture)}", out var v) ? v : 0).ToArray();
            var line = plot.Add.Scatter(xs, ys.Select(y => Math.Log10(Math.Max(y, 0.01))).ToArray());
            line.LegendText = $"{r.Engine}, {r.Keys / 1_000_000} M keys";
            line.MarkerSize = 4;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, percentiles.Select(p => p + "%").ToArray());
        double[] ticks = [0.1, 1, 10, 100, 1000, 10000];
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t + " µs").ToArray());
        plot.Title("Dedup lookup latency against a cold index (95 % absent keys, one at a time)");
        plot.XLabel("percentile");
        plot.YLabel("latency (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(Path.Combine(outDir, "dedup-lookup-latency.png"), 1000, 550);
        Console.WriteLine($"Wrote {Path.Combine(outDir, "dedup-results.md")} and dedup-lookup-latency.png");
        return 0;
    }
}
