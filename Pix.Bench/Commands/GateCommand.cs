using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pix.Bench.Suites;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>gate [--budgets PATH] [--filter TEXT]</c>: runs every hot-path benchmark with a short job, compares its
/// allocated bytes per operation with <c>allocation-budgets.json</c>, prints one table and exits 1 when any benchmark
/// allocates more than its budget, has no budget, or failed to run (a budget without a benchmark fails too: the file
/// must follow). <c>--filter</c> runs only the benchmarks whose name contains the text, for a quick look.
/// </summary>
internal static class GateCommand
{
    public static int Run(string[] args)
    {
        var path = Option(args, "--budgets") ?? BudgetFile.DefaultPath;
        var filter = Option(args, "--filter");
        var budgets = BudgetFile.Load(path);
        var clock = Stopwatch.StartNew();
        HoldFinalizersWhileMeasuring();

        // ShortRun: 1 launch, 3 warm-up and 3 measured iterations; about 8 s a benchmark here.
        var config = BenchSuites.Config(Job.ShortRun)
            .AddLogger(new QuietLogger())
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "pix-gate-artifacts"));
        // Comparisons (e.g. SignedXml next to the span verifier) measure alternatives, not the request path.
        config = config.AddFilter(new SimpleFilter(b => !b.Descriptor.Categories.Contains(SignatureBenchmarks.Comparison)));
        if (filter is not null) config = config.AddFilter(new SimpleFilter(b => NameOf(b).Contains(filter, StringComparison.OrdinalIgnoreCase)));
        var summaries = BenchmarkRunner.Run(BenchSuites.All, config);

        var results = Judge(summaries, budgets, filter is null);
        if (results.Count == 0)
        {
            Console.Error.WriteLine($"gate: no benchmark matched '{filter}'");
            return 1;
        }
        Print(results, budgets, clock.Elapsed);
        return results.All(r => r.Passed) ? 0 : 1;
    }

    /// <summary>
    /// BenchmarkDotNet forces a full collection right before the iteration whose allocations it counts, and counts
    /// every thread's bytes. The collection queues the runtime's gen2 callbacks (ArrayPool trimming and the thread
    /// pool's memory check), which allocate about 1 KB on the finalizer thread during that iteration: nothing the
    /// benchmark does, but at the embedded ingest row's 50-300 operations an iteration (each waits for an fsync) it
    /// read as 3-20 B/op, and as 17-41 B/op in slow runs (pix-bench alloc-trace --windows shows both). BenchmarkDotNet
    /// holds the finalizer thread during the count when this variable is set (its own tests set it; see
    /// dotnet/runtime#101536). The in-process toolchain reads it in this process.
    /// </summary>
    private static void HoldFinalizersWhileMeasuring() =>
        Environment.SetEnvironmentVariable("BENCHMARKDOTNET_UNITTEST_BLOCK_FINALIZER_FOR_MEMORYDIAGNOSER",
            "BENCHMARKDOTNET_UNITTEST_BLOCK_FINALIZER_FOR_MEMORYDIAGNOSER_ACTIVE");

    /// <summary>The key of a benchmark in the budget file: <c>Suite.Method</c>.</summary>
    private static string NameOf(BenchmarkCase benchmark) => benchmark.Descriptor.Type.Name + "." + benchmark.Descriptor.WorkloadMethod.Name;

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static List<GateResult> Judge(Summary[] summaries, BudgetFile budgets, bool complete)
    {
        var results = new List<GateResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var name = NameOf(report.BenchmarkCase);
            seen.Add(name);
            var mean = report.ResultStatistics?.Mean;
            var allocated = report.Success && mean is not null ? report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) : null;
            budgets.Bytes.TryGetValue(name, out var budget);
            long? known = budgets.Bytes.ContainsKey(name) ? budget : null;
            long? allowed = known is { } b ? budgets.Allowed(b) : null;
            var verdict = allocated is null ? "FAILED TO RUN"
                : known is null ? "NO BUDGET"
                : allocated > allowed ? "OVER BUDGET"
                : "ok";
            var gc = report.GcStats;
            double? gen0 = allocated is null || gc.TotalOperations == 0 ? null : gc.Gen0Collections * 1000.0 / gc.TotalOperations;
            results.Add(new GateResult(name, mean, gen0, allocated, known, allowed, verdict));
        }
        foreach (var name in budgets.Bytes.Keys.Where(n => complete && !seen.Contains(n)))
        {
            results.Add(new GateResult(name, null, null, null, budgets.Bytes[name], budgets.Allowed(budgets.Bytes[name]), "NOT RUN"));
        }
        return results;
    }

    private static void Print(List<GateResult> results, BudgetFile budgets, TimeSpan elapsed)
    {
        var width = Math.Max("benchmark".Length, results.Max(r => r.Name.Length));
        Console.WriteLine();
        Console.WriteLine($"{"benchmark".PadRight(width)} | {"ns/op",12} | {"Gen0/1k op",10} | {"allocated B/op",14} | {"budget B/op",11} | verdict");
        Console.WriteLine($"{new string('-', width)} | {new string('-', 12)} | {new string('-', 10)} | {new string('-', 14)} | {new string('-', 11)} | -------");
        foreach (var r in results)
        {
            var budget = r.Budget is null ? "-" : r.Budget == r.Allowed ? Num(r.Budget) : $"{Num(r.Budget)}+{r.Allowed - r.Budget}";
            var gen0 = r.Gen0PerThousand?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";
            Console.WriteLine($"{r.Name.PadRight(width)} | {Ns(r.MeanNs),12} | {gen0,10} | {Num(r.Allocated),14} | {budget,11} | {r.Verdict}");
        }
        foreach (var (name, why) in budgets.Why.Where(w => results.Any(r => r.Name == w.Key)))
        {
            Console.WriteLine($"  {name}: {why}");
        }
        var failed = results.Count(r => !r.Passed);
        Console.WriteLine();
        Console.WriteLine(failed == 0
            ? $"gate: passed, {results.Count} benchmarks within budget in {elapsed.TotalSeconds:F0} s"
            : $"gate: FAILED, {failed} of {results.Count} benchmarks over budget, unbudgeted or not run ({elapsed.TotalSeconds:F0} s)");
    }

    private static string Num(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    private static string Ns(double? value) => value?.ToString("N1", CultureInfo.InvariantCulture) ?? "-";
}
