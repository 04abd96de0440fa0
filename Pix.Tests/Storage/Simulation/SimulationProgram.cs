using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Pix.Tests.Storage.Simulation;

/// <summary>
/// <c>dotnet Pix.Tests.dll simulate</c>: runs the power-cut simulation's seeds in a process of their own and prints a
/// line as each seed starts and ends. <see cref="EmbeddedStoreSimulationTests"/> starts it so that the seeds share
/// nothing with the rest of the suite (its heap, its thread pool, the request path's static pools) and so that a seed
/// that never ends is seen as one, named, instead of a test host that stops answering. Settings come from the
/// environment: <c>PIX_SIMULATION_SEEDS</c>, <c>PIX_SIMULATION_FIRST_SEED</c>, <c>PIX_SIMULATION_SKIP_FLUSH</c>.
/// </summary>
public static class SimulationProgram
{
    public const string Command = "simulate";
    public const string Started = "started seed ";
    public const string Passed = "passed seed ";
    public const string FailedSeed = "FAILED seed ";
    public const string Summary = "summary: ";

    // The default suite's short version (about 8 s alone, 30 s on a loaded machine); `./build.sh simulate` runs 50,000.
    public const int DefaultSeeds = 200;

    // The test project's entry point (GenerateProgramFile is off): vstest never calls it; `dotnet Pix.Tests.dll`
    // does.
    public static async Task<int> Main(string[] args)
    {
        if (args is not [Command])
        {
            await Console.Error.WriteLineAsync($"usage: dotnet Pix.Tests.dll {Command}   (PIX_SIMULATION_SEEDS, PIX_SIMULATION_FIRST_SEED, PIX_SIMULATION_SKIP_FLUSH)");
            return 64;
        }
        var first = Setting("PIX_SIMULATION_FIRST_SEED", 1);
        var count = Setting("PIX_SIMULATION_SEEDS", DefaultSeeds);
        var skip = Environment.GetEnvironmentVariable("PIX_SIMULATION_SKIP_FLUSH");
        var failures = new ConcurrentDictionary<int, string>();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (seed, _) =>
            {
                Say(Started + seed.ToString(CultureInfo.InvariantCulture));
                var seedClock = Stopwatch.StartNew();
                if (await StoreSimulation.RunAsync(seed, skip) is { } failure)
                {
                    failures[seed] = failure;
                    Say($"{FailedSeed}{seed} in {seedClock.ElapsedMilliseconds} ms");
                }
                else
                {
                    Say($"{Passed}{seed} in {seedClock.ElapsedMilliseconds} ms");
                }
            });
        Say(string.Create(CultureInfo.InvariantCulture,
            $"{Summary}{count} seeds from {first} in {clock.Elapsed.TotalSeconds:F1} s: {failures.Count} failed{(skip is null ? "" : $" (fsyncs from {skip} skipped)")}; "
            + $"{(GC.GetTotalAllocatedBytes() - allocatedBefore) / Math.Max(count, 1) / 1e6:F1} MB allocated per seed, {GC.CollectionCount(2) - gen2Before} gen2 collections"));
        foreach (var (_, failure) in failures.OrderBy(f => f.Key).Take(5)) Say(failure);
        return failures.IsEmpty ? 0 : 1;
    }

    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static void Say(string line)
    {
        lock (Console.Out) Console.Out.WriteLine(line);
    }
}
