using System.Globalization;
using Pix.Bench.Compare;
using Pix.Bench.Load;
using Pix.Bench.Reads;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>reads</c>: the architecture budget's figure, stream reads per second of full 10-message batches: each read
/// acknowledges the previous batch and claims the next ten. Two ways to run it:
/// <list type="bullet">
/// <item>against servers it starts itself (the default): the ceiling (<c>pix-bench ceiling</c>) and Pix per HTTP layer
/// and store, each pinned to the server core, this process pinned to the client core, and wrk on the ceiling, so
/// the ratio to the ceiling and the client's own limit come from one command;</item>
/// <item>against running servers (<c>--target</c>/<c>--targets</c>, e.g. a cluster): preload, then one saturation window.</item>
/// </list>
/// </summary>
internal static class ReadBenchCommand
{
    public const string Usage = "reads [--modes ceiling,pipeline,aspnet] [--storage memory,embedded] [--runs 1] [--psps 12] [--streams 3] [--per-psp 40000] "
        + "[--duration 5] [--warmup 3] [--jit-warmup 6] [--server-args \"--Pix:Key value ...\"] [--no-half] [--production [--signed-per-psp 2000]] [--wrk /usr/bin/wrk|none] [--server-cpu 0] [--client-cpu 1] [--out FILE] "
        + "| [--target URL | --targets URL,URL...] [--certs DIR] [--admin-port 9464]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        var psps = (int)options.Number("psps", 12);
        var streams = (int)Math.Clamp(options.Number("streams", 3), 1, 6);
        var perPsp = options.Number("per-psp", 40_000);
        var duration = TimeSpan.FromSeconds(options.Number("duration", 5));
        var warmup = TimeSpan.FromSeconds(options.Number("warmup", 1));
        if ((options.Text("targets") ?? options.Text("target")) is { } text)
        {
            using var tls = options.Text("certs") is { } certs ? new ClientTls(certs) : null;
            using var probe = options.Text("admin-port") is { } port ? new AllocationProbe(int.Parse(port, CultureInfo.InvariantCulture)) : null;
            return await RunAgainstAsync(text, tls, probe, psps, streams, perPsp, duration, warmup);
        }

        try
        {
            return await ReadComparisonOptions.Parse(options, parts: 0).RunAsync(options.Text("out"));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>Against servers already running (one, several nodes, or a load balancer). With <c>--certs DIR</c> every
    /// connection speaks mutual TLS; with <c>--admin-port</c> the server's own meters say what a read cost it.</summary>
    private static async Task<int> RunAgainstAsync(string text, ClientTls? tls, AllocationProbe? probe, int psps, int streams, long perPsp,
        TimeSpan duration, TimeSpan warmup)
    {
        TargetList targets;
        try
        {
            // Several nodes (or one HAProxy address): each stream's connection goes to the next, round-robin.
            targets = TargetList.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        // Six digits: the BizMsgIdr is M + SPI + run id + 17-digit sequence = 32 characters.
        var runId = Random.Shared.Next(100_000, 999_999).ToString();
        var ispbs = Enumerable.Range(0, psps).Select(i => $"{runId}{i:D2}").ToArray();
        Console.WriteLine($"preloading {perPsp:N0} messages into each of {psps} PSP queues...");
        var budgets = ispbs.Select(_ => new QueueBudget(0)).ToArray();
        var preloaded = await Preload.RunAsync(targets.Next, new MessageFactory(runId), ispbs, perPsp, budgets, tls);
        Console.WriteLine($"preloaded {preloaded:N0} messages");
        using var run = ReadRun.Open(targets.Next, ispbs, budgets, streams, tls);
        var allocatedBefore = probe is null ? 0 : await probe.AllocatedBytesAsync();
        var cpuBefore = probe is null ? 0 : await probe.CpuSecondsAsync();
        var phase = await run.RunAsync(0, warmup, duration, serverCpu: null, progress: true);
        if (phase.Failure is not null) Console.Error.WriteLine(phase.Failure);
        if (probe is not null)
        {
            // Warm-up and the final long polls included: an upper bound on what one read costs the server.
            var cpu = await probe.CpuSecondsAsync() - cpuBefore;
            var allocated = await probe.AllocatedBytesAsync() - allocatedBefore;
            Console.WriteLine($"server: {cpu * 1e6 / Math.Max(1, phase.Reads):N1} µs CPU and {allocated / (double)Math.Max(1, phase.Reads):N0} B allocated per read "
                + "(all its threads, warm-up and the final long polls included)");
        }
        Console.WriteLine($"reads{(tls is null ? "" : " over mTLS")}: {phase.Reads:N0} in {phase.Seconds:F1} s = {phase.ReadsPerSecond:N0} reads/s, {phase.Messages / phase.Seconds:N0} messages/s, " +
                          $"{phase.MessagesPerRead:F2} messages per read; latency p50 {phase.P50:F2} ms, p99 {phase.P99:F2} ms");
        return phase.Failure is null ? 0 : 1;
    }
}
