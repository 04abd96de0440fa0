using System.Globalization;
using System.Text;

namespace Pix.Bench.Compare;

/// <summary>
/// Writes the comparison into <c>docs/benchmarks.md</c>: its own section between two markers, replaced on every run,
/// so sections other people wrote in that file stay as they are.
/// </summary>
internal static class ComparisonWriter
{
    private const string Begin = "<!-- pix-bench compare: begin (generated, replaced on each run) -->";
    private const string End = "<!-- pix-bench compare: end -->";

    public static void Write(string path, CompareOptions options, IReadOnlyList<ModeResult> results, string machine, string command)
    {
        var section = Section(options, results, machine, command);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Pix benchmarks\n\n";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? text[..begin] + section + text[(end + End.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }

    private static string Section(CompareOptions options, IReadOnlyList<ModeResult> results, string machine, string command)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(Begin);
        md.AppendLine("## pipeline vs ASP.NET Core minimal APIs (`pix-bench compare`)").AppendLine();
        md.AppendLine(c, $"Run {DateTime.UtcNow:u}: `{command}`. Each mode gets a fresh server pinned to CPU {options.ServerCpu}, the load generator"
            + $" pinned to CPU {options.ClientCpu}; storage `{options.Storage}`; {options.Psps} PSPs with 4..6 streams; warm-up 5 s, then a closed-loop"
            + $" saturation run ({options.Producers} producer connections) and an open-loop run at {options.FixedRate:N0} msg/s, {options.DurationSeconds:F0} s each.").AppendLine();
        md.AppendLine("The machine is a shared 2-core VM on which other developers build and test at the same time; expect noise of tens of percent between runs.").AppendLine();
        md.AppendLine("| measure | " + string.Join(" | ", results.Select(r => r.Mode)) + (results.Count == 2 ? " | ratio |" : " |"));
        md.AppendLine("| --- | " + string.Join(" | ", results.Select(_ => "---:")) + (results.Count == 2 ? " | ---: |" : " |"));
        Row(md, "requests/s at saturation", results, r => r.SaturationRequestsPerSecond, "N0", higherIsBetter: true);
        Row(md, "messages/s accepted at saturation", results, r => r.SaturationMessagesPerSecond, "N0", higherIsBetter: true);
        Row(md, $"POST p99 ms at {options.FixedRate:N0} msg/s (CO-corrected)", results, r => r.FixedPostP99, "F2", higherIsBetter: false);
        Row(md, $"delivery p99 ms at {options.FixedRate:N0} msg/s", results, r => r.FixedDeliveryP99, "F2", higherIsBetter: false);
        Row(md, "server bytes allocated per request", results, r => r.AllocatedBytesPerRequest, "N0", higherIsBetter: false);
        Row(md, "server CPU µs per request (saturation)", results, r => r.CpuMicrosPerRequest, "F1", higherIsBetter: false);
        Row(md, "server CPU share during saturation (1.0 = one core)", results, r => r.SaturationServerCpuShare, "F2", higherIsBetter: null);
        Row(md, "load generator CPU share during saturation", results, r => r.SaturationClientCpuShare, "F2", higherIsBetter: null);
        Row(md, $"server CPU share at {options.FixedRate:N0} msg/s", results, r => r.FixedServerCpuShare, "F2", higherIsBetter: false);
        md.AppendLine("| ledger (nothing lost) | " + string.Join(" | ", results.Select(r => r.LedgerPassed ? "passed" : "**FAILED**")) + (results.Count == 2 ? " | |" : " |"));
        md.AppendLine().AppendLine("Ratio: pipeline's advantage (>1 means pipeline is better on that line).").AppendLine();
        md.AppendLine("Server commands:").AppendLine();
        foreach (var r in results) md.AppendLine(c, $"- `{r.ServerCommand}`");
        md.AppendLine().AppendLine("Machine:").AppendLine().AppendLine("```").AppendLine(machine).AppendLine("```");
        md.AppendLine(End);
        return md.ToString();
    }

    private static void Row(StringBuilder md, string name, IReadOnlyList<ModeResult> results, Func<ModeResult, double> value, string format, bool? higherIsBetter)
    {
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"| {name} | ").Append(string.Join(" | ", results.Select(r => value(r).ToString(format, c))));
        if (results.Count == 2)
        {
            var (a, b) = (value(results[0]), value(results[1]));
            var ratio = higherIsBetter switch
            {
                true when b > 0 => (a / b).ToString("F2", c) + "x",
                false when a > 0 => (b / a).ToString("F2", c) + "x",
                _ => "",
            };
            md.Append(c, $" | {ratio}");
        }
        md.AppendLine(" |");
    }
}
