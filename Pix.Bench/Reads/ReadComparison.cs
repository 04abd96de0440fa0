using System.Diagnostics;
using Pix.Bench.Compare;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>
/// <c>reads</c> (and <c>ingest</c>, the same with POSTs) with servers of its own: for each run, each configuration in turn gets a fresh server pinned to the
/// server core (the ceiling, Pix per HTTP layer and store), its queues preloaded, a saturation phase (closed loop, every
/// stream reading as fast as it is answered) and a phase at half that rate (open loop, latency from each read's due
/// time). wrk then reads the ceiling with the same connections, so the client's own limit is in the same run.
/// </summary>
internal sealed class ReadComparison(ReadComparisonOptions options)
{
    // Every preloaded message must be taken (bucket and backlog out of the way). Plain HTTP and no signature checks
    // (ServerUnderTest's default), so the figure is transport, engine and store; a production row (--production)
    // changes only those two.
    private static readonly string[] PixSettings =
    [
        "--Pix:RateLimit:Capacity", "1000000000", "--Pix:RateLimit:RefillPerSecond", "1000000000",
        "--Pix:Limits:MaxBacklog", "1000000000",
        // A stream whose queue ran dry answers its last poll sooner: the phase ends without waiting 5 s.
        "--Pix:Streams:LongPollSeconds", "1",
        // The streams are opened (and warmed up) before the measured phase's preload, which takes longer than the
        // default idle timeout: they must still be open when it ends.
        "--Pix:Streams:IdleTimeoutSeconds", "900",
    ];

    // Made on first use by a production row: one certificate set for the whole command.
    private ProductionDefaults? _production;

    public async Task<List<ReadResult>> RunAsync()
    {
        try
        {
            return await RunAllAsync();
        }
        finally
        {
            _production?.Dispose();
        }
    }

    private async Task<List<ReadResult>> RunAllAsync()
    {
        var results = new List<ReadResult>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var configuration in options.Configurations)
            {
                Console.WriteLine($"[run {run}] {configuration}");
                var result = await MeasureAsync(run, configuration);
                results.Add(result);
                ReadReport.PrintLine(result, results, options.Unit);
            }
        }
        return results;
    }

    private async Task<ReadResult> MeasureAsync(int run, ReadConfiguration configuration)
    {
        var production = configuration.Production ? _production ??= ProductionDefaults.Create() : null;
        using var server = configuration.IsCeiling
            ? await ServerUnderTest.StartCeilingAsync(options.ServerCpu)
            : await ServerUnderTest.StartPixAsync(configuration.Http, options.ServerCpu, configuration.Storage!, [.. PixSettings, .. options.ServerArgs ?? []], production?.ServerArguments);
        var target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, server.Port);
        var runId = Random.Shared.Next(100_000, 999_999).ToString();
        var ispbs = Enumerable.Range(0, options.Psps).Select(i => $"{runId}{i:D2}").ToArray();
        var factory = new MessageFactory(runId);
        var budgets = ispbs.Select(_ => configuration.IsCeiling ? QueueBudget.Endless : new QueueBudget(0)).ToArray();
        long batches = 0;
        using var reads = options.Reads
            ? ReadRun.Open(() => target, ispbs, budgets, options.Streams, production?.Tls)
            : new ReadRun([.. Enumerable.Range(0, options.Connections).Select(i =>
                new IngestStream(target, factory, ispbs[i % ispbs.Length], options.Parts, () => Interlocked.Increment(ref batches),
                    production?.Tls.For(MessageFactory.Spi), production is null ? null : SignedPosts(production, factory, ispbs[i % ispbs.Length])))]);
        await WarmUpAsync(target, factory, ispbs, budgets, reads, production, preload: !configuration.IsCeiling && options.Reads);
        if (!configuration.IsCeiling && options.Reads)
        {
            // Signing costs the client milliseconds a message: a production row preloads fewer, and its window may end
            // when a queue runs dry (the figures per read hold for the part measured).
            var perPsp = production is null ? options.PerPsp : Math.Min(options.PerPsp, options.SignedPerPsp);
            var preloaded = await Preload.RunAsync(() => target, factory, ispbs, perPsp, budgets, production);
            Console.WriteLine($"  preloaded {preloaded:N0} messages");
        }
        var allocatedBefore = await server.AllocatedBytesAsync();
        var diskBefore = await server.DiskAsync();
        var saturation = await reads.RunAsync(0, options.Warmup, options.Duration, () => server.CpuTime, options.Progress);
        var saturationDisk = DiskWindow.Between(diskBefore, await server.DiskAsync());
        var allocatedAfter = await server.AllocatedBytesAsync();
        // Allocations over the whole phase (warm-up included) per read of the phase's measured rate.
        var allocatedPerRead = allocatedBefore < 0 || allocatedAfter < 0 || saturation.Reads == 0
            ? (double?)null
            : (allocatedAfter - allocatedBefore) / (saturation.ReadsPerSecond * (saturation.Seconds + options.Warmup.TotalSeconds));
        Console.WriteLine($"  saturation: {saturation.ReadsPerSecond:N0} {options.Unit}/s ({saturation.MessagesPerRead:F2} messages each), p99 {saturation.P99:F2} ms"
            + (saturation.EndedEarly ? $" (a queue ran dry after {saturation.Seconds:F1} s)" : ""));
        if (saturationDisk is not null) Console.WriteLine($"    {saturationDisk.Describe()}");
        if (saturation.Failure is not null) throw new InvalidOperationException($"{configuration}: {saturation.Failure}");
        // A preload the warm-up already read leaves no window: its figures (a rate over nothing, 0 us per read) would
        // read as a result.
        if (saturation.EndedEarly && saturation.Seconds < MinimumWindowSeconds)
            throw new InvalidOperationException($"{configuration}: a queue ran dry {saturation.Seconds:F1} s into the window; raise --per-psp or lower --warmup");

        ReadPhase? half = null;
        DiskWindow? halfDisk = null;
        if (options.Half)
        {
            var rate = saturation.ReadsPerSecond / 2;
            if (!configuration.IsCeiling && options.Reads)
            {
                var needed = (long)(rate * (options.Warmup + options.Duration).TotalSeconds * 10 * 1.25 / ispbs.Length);
                if (production is not null) needed = Math.Min(needed, options.SignedPerPsp);
                await Preload.RunAsync(() => target, factory, ispbs, needed, budgets, production);
            }
            diskBefore = await server.DiskAsync();
            half = await reads.RunAsync(rate, options.Warmup, options.Duration, () => server.CpuTime, options.Progress);
            halfDisk = DiskWindow.Between(diskBefore, await server.DiskAsync());
            Console.WriteLine($"  half ({rate:N0} {options.Unit}/s): {half.ReadsPerSecond:N0} {options.Unit}/s, p50 {half.P50:F2} ms, p99 {half.P99:F2} ms (from each send: p99 {half.ServiceP99:F2} ms; the client's own delay: p99 {half.ClientDelayP99:F2} ms)");
            if (halfDisk is not null) Console.WriteLine($"    {halfDisk.Describe()}");
        }

        double? wrk = null, wrkCpu = null;
        if (configuration.IsCeiling && options.Wrk is { } wrkPath)
        {
            var path = new Uri(server.Url, options.Reads ? $"/api/v1/out/{ispbs[0]}/stream/start" : $"/api/v1/in/{MessageFactory.Spi}/msgs");
            (byte[] Body, string ContentType)? post = options.Reads ? null : BatchBody.Build([.. Enumerable.Range(0, options.Parts).Select(i => factory.Pacs008(i, ispbs[0], valid: true))]);
            if (await WrkRun.RunAsync(wrkPath, path, reads.Streams, options.Duration, options.ClientCpu, post) is { } figure)
            {
                (wrk, wrkCpu) = (figure.RequestsPerSecond, figure.ClientCpuShare);
                Console.WriteLine($"  wrk: {figure.RequestsPerSecond:N0} requests/s, its core at {figure.ClientCpuShare:P0}");
            }
        }
        return new ReadResult(run, configuration, saturation, half, allocatedPerRead, wrk, wrkCpu, saturationDisk, halfDisk);
    }

    // A fresh server runs its code at tier 0 for its first seconds, then instrumented, then optimized with the profile
    // it gathered (the JIT's thread takes the server's core meanwhile): measured in that time, a durable read cost
    // more than twice what it costs once warm (103-128 against 44-48 us, 2 Dec), which is not what a node that runs
    // for days pays.
    // So every configuration first does the same work, unmeasured, for --jit-warmup seconds: reads in rounds of a small
    // preload read until dry (the queues of the measured phase are preloaded after it), POSTs for that long.
    private async Task WarmUpAsync(System.Net.IPEndPoint target, MessageFactory factory, string[] ispbs, QueueBudget[] budgets, ReadRun reads,
        ProductionDefaults? production, bool preload)
    {
        // A production row's messages are signed one by one before the window (milliseconds each): it is not warmed.
        if (options.JitWarmup <= TimeSpan.Zero || production is not null) return;
        var end = Stopwatch.GetTimestamp() + (long)(options.JitWarmup.TotalSeconds * Stopwatch.Frequency);
        var rounds = 0;
        while (true)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
            if (left < TimeSpan.FromMilliseconds(200)) break;
            if (preload) await Preload.RunAsync(() => target, factory, ispbs, WarmUpPerPsp, budgets, production);
            var phase = await reads.RunAsync(0, TimeSpan.Zero, left, serverCpu: null, progress: false);
            if (phase.Failure is not null) throw new InvalidOperationException($"warm-up: {phase.Failure}");
            rounds++;
        }
        Console.WriteLine($"  warmed up for {options.JitWarmup.TotalSeconds:F0} s ({rounds} round{(rounds == 1 ? "" : "s")}, not measured)");
    }

    private const double MinimumWindowSeconds = 0.5;

    // Small enough that a round's preload is a fraction of a second, large enough that the reads run at full speed.
    private const long WarmUpPerPsp = 2_000;

    /// <summary>One sender's signed requests for a production ingest row, made before its window opens.</summary>
    private List<byte[]> SignedPosts(ProductionDefaults production, MessageFactory factory, string receiver) =>
        [.. Enumerable.Range(0, options.SignedPerConnection).Select(_ => production.SignedPost(factory, receiver, options.Parts))];
}
