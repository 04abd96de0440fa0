using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Pix.Bench.Load;

/// <summary>
/// The failover scenario's timeline, driven against a deployment of <c>ops/regions/start.sh</c>: <c>dr watch</c> runs
/// from the start; when the pressure window opens every process of region A (the SPI's home: its Redis nodes and its
/// Pix node) is frozen with SIGSTOP; the watch detects it and fails over to B; when the window closes (and not before
/// a PSP of A has been served by B) A is thawed and <c>dr failback</c> is run until it succeeds. Each event is stamped in the run's clock (the per-second samples'),
/// so the report puts them on the plots: isolation, detection, takeover, map flip, first read in B, thaw, failback.
/// </summary>
internal sealed class RegionDrill(LoadOptions options, RegionRoutes routes, LoadMetrics metrics)
{
    /// <summary>How long the drill may run beyond the producer: a minute for B to serve one of A's PSPs, then up
    /// to 90 s of failback attempts, and some slack.</summary>
    public static readonly TimeSpan Allowance = TimeSpan.FromMinutes(3);

    private readonly ConcurrentDictionary<string, double> _events = new();
    private readonly SurvivorTally _survivors = new();
    private readonly ConcurrentQueue<string> _transcript = new();
    private volatile bool _isolated;

    public string A { get; } = routes.Plan.Home(MessageFactory.Spi);

    public string B => routes.Plan.Other(A);

    /// <summary>The events in the order they happened (seconds since the run started).</summary>
    public TimelineEvent[] Timeline => _events.OrderBy(e => e.Value).Select(e => new TimelineEvent(e.Key, e.Value)).ToArray();

    /// <summary>Every line the drill's <c>dr</c> commands printed (both streams), stamped in the run's clock: what a
    /// timeline without an event is explained by.</summary>
    public IReadOnlyCollection<string> Transcript => _transcript;

    /// <summary>What B's own PSPs were answered by B from the isolation to the end of the run.</summary>
    public SurvivorAnswers Survivors => _survivors.Summary(_events.GetValueOrDefault("isolation"));

    public async Task RunAsync(PressureWindow window, CancellationToken stop)
    {
        routes.Answered = (ispb, region, status, waited) =>
        {
            if (!_isolated || region != B) return;
            var home = routes.Plan.Home(ispb);
            if (home == A && status is 200 or 204) Mark("first read in B");
            else if (home == B) _survivors.Add(status, (metrics.Elapsed - waited).TotalSeconds);
        };
        using var watch = Dr(["watch", "--after", options.WatchAfterSeconds.ToString(CultureInfo.InvariantCulture)], line =>
        {
            if (!_isolated) return;
            if (line.Contains(" dr watch.detected:", StringComparison.Ordinal)) Mark("detection");
            else if (line.Contains(" dr takeover:", StringComparison.Ordinal)) Mark("takeover");
            else if (line.Contains(" dr map.flip:", StringComparison.Ordinal)) Mark("map flip");
        });
        try
        {
            await window.WaitForOpenAsync(stop);
            Signal("STOP", A);
            _isolated = true;
            Mark("isolation");
            await window.WaitWhileOpenAsync(stop);
            // A thaw before B took over would be no failover drill at all (a slow machine can take longer than the
            // window): A stays frozen until a PSP of A has been served by B, for a minute at most.
            var waiting = Stopwatch.StartNew();
            while (!_events.ContainsKey("first read in B") && waiting.Elapsed < TimeSpan.FromMinutes(1)) await Task.Delay(100, stop);
            Signal("CONT", A);
            Mark("thaw");
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                // Refused (exit 1) until A's nodes answer and its replicas are in sync again: run it again.
                using var failback = Dr(["failback", "--region", A], _ => { });
                await failback.WaitForExitAsync(stop);
                Note($"dr failback: exited {failback.ExitCode}");
                if (failback.ExitCode == 0)
                {
                    Mark("failback");
                    break;
                }
                await Task.Delay(1000, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // Never leave a region frozen behind.
            if (_isolated && !_events.ContainsKey("thaw")) Signal("CONT", A);
            if (!watch.HasExited) watch.Kill();
        }
    }

    private void Mark(string name)
    {
        if (_events.TryAdd(name, metrics.Elapsed.TotalSeconds)) Note($"drill: {name}");
    }

    private void Note(string line) => _transcript.Enqueue($"{metrics.Elapsed.TotalSeconds,8:F2} {line}");

    private void Signal(string signal, string region)
    {
        foreach (var pid in routes.Plan.Pids(region))
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false });
            kill?.WaitForExit();
        }
    }

    private Process Dr(string[] command, Action<string> line)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[routes.Plan.ServerDll, "dr", .. command, .. routes.Plan.DrSettings]) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var name = $"dr {command[0]}";
        Note($"{name}: started");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Note($"{name}: {e.Data}");
            line(e.Data);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Note($"{name} (stderr): {e.Data}"); };

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>One event of a failover run, in seconds since the run started.</summary>
internal sealed record TimelineEvent(string Name, double Second);
