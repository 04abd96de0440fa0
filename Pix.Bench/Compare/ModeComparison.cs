using System.Diagnostics;
using Pix.Bench.Load;

namespace Pix.Bench.Compare;

/// <summary>
/// Measures one HTTP mode: start Pix pinned to the server core, warm up, then a closed-loop saturation run (requests/s,
/// server CPU and allocated bytes per request) and an open-loop run at a fixed rate (p99), each checked by the ledger.
/// </summary>
internal sealed class ModeComparison(CompareOptions options)
{
    // The token bucket would cap the SPI at 750 msg/s; compare measures the HTTP layer, not the rate limit.
    private static readonly string[] ServerSettings =
    [
        "--Pix:RateLimit:Capacity", "1000000000", "--Pix:RateLimit:RefillPerSecond", "1000000000", "--Pix:Streams:IdleTimeoutSeconds", "10",
    ];

    public async Task<ModeResult> RunAsync(string mode)
    {
        using var server = await ServerUnderTest.StartPixAsync(mode, options.ServerCpu, options.Storage, ServerSettings);
        using var allocations = new AllocationProbe(server.AdminPort);
        Console.WriteLine($"[{mode}] {server.CommandLine}");
        await RunLoadAsync(server, mode, "warmup", rate: 300, duration: 5);

        // Sampled when the producer stops (not after the drain), so shares and per-request costs cover the loaded window.
        var before = await SampleAsync(server, allocations);
        var after = before;
        var saturation = await RunLoadAsync(server, mode, "saturation", rate: 0, duration: options.DurationSeconds,
            async () => before = await SampleAsync(server, allocations), async () => after = await SampleAsync(server, allocations));
        var seconds = (after.Wall - before.Wall).TotalSeconds;
        var cpu = (after.Server - before.Server).TotalSeconds;
        var client = (after.Client - before.Client).TotalSeconds;
        var allocated = after.Allocated - before.Allocated;

        var fixedBefore = await SampleAsync(server, allocations);
        var fixedAfter = fixedBefore;
        var atRate = await RunLoadAsync(server, mode, "fixed", rate: options.FixedRate, duration: options.DurationSeconds,
            async () => fixedBefore = await SampleAsync(server, allocations), async () => fixedAfter = await SampleAsync(server, allocations));
        var fixedShare = (fixedAfter.Server - fixedBefore.Server).TotalSeconds / (fixedAfter.Wall - fixedBefore.Wall).TotalSeconds;

        // Requests completed in the producing window (the drain's long polls are not part of the loaded window).
        var requests = Math.Max(1, saturation.RequestsPerSecond * seconds);
        return new ModeResult(mode, server.CommandLine,
            saturation.RequestsPerSecond, saturation.MessagesAcceptedPerSecond, cpu * 1e6 / requests, before.Allocated < 0 ? -1 : allocated / requests,
            saturation.ProducerCorrected.P99, cpu / seconds, client / seconds,
            options.FixedRate, atRate.RequestsPerSecond, atRate.ProducerCorrected.P50, atRate.ProducerCorrected.P99, atRate.Delivery.P99,
            fixedShare, saturation.Passed && atRate.Passed);
    }

    private static async Task<(TimeSpan Wall, TimeSpan Server, TimeSpan Client, long Allocated)> SampleAsync(ServerUnderTest server, AllocationProbe allocations) =>
        (Stopwatch.GetElapsedTime(0), server.CpuTime, Process.GetCurrentProcess().TotalProcessorTime, await allocations.AllocatedBytesAsync());

    private async Task<LoadSummary> RunLoadAsync(ServerUnderTest server, string mode, string phase, double rate, double duration,
        Func<Task>? producerStarting = null, Func<Task>? producerFinished = null)
    {
        var load = new LoadOptions
        {
            Scenario = "soak",
            Target = new Uri($"http://127.0.0.1:{server.Port}"),
            Admin = new Uri($"http://127.0.0.1:{server.AdminPort}"),
            DurationSeconds = duration,
            Rate = rate,
            Psps = options.Psps,
            Producers = options.Producers,
            // Long lifetimes and no abandonment: compare measures request handling, not idle-expiry redeliveries.
            AbandonShare = 0,
            LifetimeMinSeconds = 30,
            LifetimeMaxSeconds = 60,
            DrainSeconds = 15,
            Quiet = true,
            Output = Path.Combine(options.Output, $"{mode}-{phase}"),
        };
        load.Validate();
        var summary = await new LoadRun(load) { ProducerStarting = producerStarting, ProducerFinished = producerFinished }.RunAsync();
        Console.WriteLine($"[{mode} {phase}] {summary.RequestsPerSecond:N0} req/s, {summary.MessagesAcceptedPerSecond:N0} msg/s, POST p99 {summary.ProducerCorrected.P99:F1} ms,"
            + $" delivery p99 {summary.Delivery.P99:F1} ms, lost {summary.Ledger.Lost}");
        return summary;
    }
}
