using System.Collections.Concurrent;
using System.Globalization;
using Pix.Tests.Storage.Simulation;
using Xunit.Abstractions;

namespace Pix.Tests.Storage;

/// <summary>
/// The embedded store on a simulated disk that loses whatever was not fsync'd at a power cut (see
/// <see cref="StoreSimulation"/>). The default suite runs a short version, 30 seeds (inside the full suite 300 once ran past seven minutes in a store open: see docs/embedded-store.md). Each seed opens the store many times,
/// and its buffers once took 1 MiB each whatever they held (about 41 MB of large-object heap per seed, 600+ gen2
/// collections per 200 seeds, which crawled inside the full suite's large heap); they are now sized to what they hold
/// (about 3 MB per seed, a few gen2 collections per 200). <c>./build.sh simulate</c> runs the real thing, many
/// more (<c>PIX_SIMULATION_SEEDS</c>, <c>PIX_SIMULATION_FIRST_SEED</c>), and one failing seed replays exactly with
/// <c>PIX_SIMULATION_FIRST_SEED=N PIX_SIMULATION_SEEDS=1</c>. <c>PIX_SIMULATION_SKIP_FLUSH=Method</c> drops the fsyncs
/// made from one method of the store, to show that each of them is needed.
/// </summary>
public sealed class EmbeddedStoreSimulationTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 30;

    [Fact]
    public async Task SeededSchedulesCutByPowerFailuresRecoverEverythingClientsWereTold()
    {
        var first = Setting("PIX_SIMULATION_FIRST_SEED", 1);
        var count = Setting("PIX_SIMULATION_SEEDS", DefaultSeeds);
        var skip = Environment.GetEnvironmentVariable("PIX_SIMULATION_SKIP_FLUSH");
        var failures = new ConcurrentDictionary<int, string>();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gen2Before = GC.CollectionCount(2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (seed, _) =>
            {
                if (await StoreSimulation.RunAsync(seed, skip) is { } failure) failures[seed] = failure;
            });
        // Allocation and gen2 collections are shown because they, not the work, made this slow inside the full suite.
        output.WriteLine($"{count} seeds from {first} in {clock.Elapsed.TotalSeconds:F1} s: {failures.Count} failed{(skip is null ? "" : $" (fsyncs from {skip} skipped)")}; "
            + $"{(GC.GetTotalAllocatedBytes() - allocatedBefore) / count / 1e6:F1} MB allocated per seed, {GC.CollectionCount(2) - gen2Before} gen2 collections");
        var shown = failures.OrderBy(f => f.Key).Take(5).Select(f => f.Value);
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} seeds failed; replay one with PIX_SIMULATION_FIRST_SEED=N PIX_SIMULATION_SEEDS=1:\n{string.Join("\n", shown)}");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
