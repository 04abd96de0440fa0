using System.Diagnostics;
using System.Text;
using Pix.Tests.Storage.Simulation;
using Xunit.Abstractions;

namespace Pix.Tests.Storage;

/// <summary>
/// The embedded store on a simulated disk that loses whatever was not fsync'd at a power cut (see
/// <see cref="StoreSimulation"/>). The default suite runs a short version, <see cref="SimulationProgram.DefaultSeeds"/> seeds; <c>./build.sh simulate</c> runs
/// many more (<c>PIX_SIMULATION_SEEDS</c>, <c>PIX_SIMULATION_FIRST_SEED</c>), and one failing seed replays exactly with
/// <c>PIX_SIMULATION_FIRST_SEED=N PIX_SIMULATION_SEEDS=1</c>. <c>PIX_SIMULATION_SKIP_FLUSH=Method</c> drops the fsyncs
/// made from one method of the store, to show that each of them is needed.
/// </summary>
/// <remarks>
/// The seeds run in a child process (<see cref="SimulationProgram"/>), which prints a line as each seed starts and
/// ends: it shares neither the suite's heap nor its thread pool, and a seed that stops is reported by number (with
/// the process's stacks when <c>dotnet-stack</c> is installed) instead of holding the whole suite. The child inherits
/// the environment: once a dry run of build.ps1 in <c>BuildScriptTests</c> left PIX_SIMULATION_SEEDS=50000 in the
/// test host, and the suite's simulation ran for half an hour (BuildScriptTests now checks that it cannot).
/// </remarks>
public sealed class EmbeddedStoreSimulationTests(ITestOutputHelper output)
{
    // A seed takes well under a second (up to 6 s on a machine loaded 30 deep); none ending for this long is a hang.
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(SimulationProgram.Setting("PIX_SIMULATION_STALL_SECONDS", 180));

    [Fact]
    public async Task SeededSchedulesCutByPowerFailuresRecoverEverythingClientsWereTold()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pix.Tests.dll"));
        start.ArgumentList.Add(SimulationProgram.Command);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var running = new SortedSet<int>();
        var report = new StringBuilder();
        string? summary = null;
        while (true)
        {
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(Stall);
            }
            catch (TimeoutException)
            {
                var stacks = await StacksOf(process.Id);
                process.Kill(entireProcessTree: true);
                Assert.Fail($"No seed ended for {Stall.TotalSeconds:F0} s; still running: seeds {string.Join(", ", running)} "
                    + $"(replay one alone with PIX_SIMULATION_FIRST_SEED=N PIX_SIMULATION_SEEDS=1).\n{stacks}");
                return;
            }
            if (line is null) break;
            if (TrySeed(line, SimulationProgram.Started, out var seed)) running.Add(seed);
            else if (TrySeed(line, SimulationProgram.Passed, out seed)) running.Remove(seed);
            else if (TrySeed(line, SimulationProgram.FailedSeed, out seed)) running.Remove(seed);
            else if (line.StartsWith(SimulationProgram.Summary, StringComparison.Ordinal)) summary = line;
            else report.AppendLine(line);
        }
        await process.WaitForExitAsync().WaitAsync(Stall);
        if (summary is not null) output.WriteLine(summary);
        Assert.True(process.ExitCode == 0 && summary is not null,
            $"The simulation exited {process.ExitCode}; replay one seed with PIX_SIMULATION_FIRST_SEED=N PIX_SIMULATION_SEEDS=1:\n{summary}\n{report}{await errors}");
    }

    private static bool TrySeed(string line, string prefix, out int seed)
    {
        seed = 0;
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = line.AsSpan(prefix.Length);
        var end = rest.IndexOf(' ');
        return int.TryParse(end < 0 ? rest : rest[..end], out seed);
    }

    /// <summary>The stuck process's managed stacks, when dotnet-stack is at hand (a diagnostic; CI may not have it).</summary>
    private static async Task<string> StacksOf(int pid)
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var tool = new[] { Path.Combine(home, ".dotnet", "tools", "dotnet-stack") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet-stack")))
            .FirstOrDefault(File.Exists);
        if (tool is null) return "(dotnet-stack is not installed: no stacks)";
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "report", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
            using var stack = Process.Start(start)!;
            var text = stack.StandardOutput.ReadToEndAsync();
            await stack.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return await text;
        }
        catch (Exception ex) when (ex is TimeoutException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "(dotnet-stack failed: " + ex.Message + ")";
        }
    }
}
