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
        using var server = await ServerUnderTest.StartAsync(mode, options.ServerCpu, options.Storage, ServerSettings);
        using var allocations = new AllocationProbe(server.AdminPort);
        Console.WriteLine($"[{mode}] {server.CommandLine}");
        await RunLoadAsync(server, mode, "warmup", rate: 300, duration: 5);

        var cpu0 = server.CpuTime;
        var client0 = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc0 = await allocations.AllocatedBytesAsync();
        var wall = Stopwatch.StartNew();
        var saturation = await RunLoadAsync(server, mode, "saturation", rate: 0, duration: options.DurationSeconds);
        var seconds = wall.Elapsed.TotalSeconds;
        var cpu = (server.CpuTime - cpu0).TotalSeconds;
        var client = (Process.GetCurrentProcess().TotalProcessorTime - client0).TotalSeconds;
        var allocated = await allocations.AllocatedBytesAsync() - alloc0;

        var fixedCpu0 = server.CpuTime;
        var fixedWall = Stopwatch.StartNew();
        var atRate = await RunLoadAsync(server, mode, "fixed", rate: options.FixedRate, duration: options.DurationSeconds);
        var fixedShare = (server.CpuTime - fixedCpu0).TotalSeconds / fixedWall.Elapsed.TotalSeconds;

        var requests = Math.Max(1, saturation.Requests);
        return new ModeResult(mode, server.CommandLine,
            saturation.RequestsPerSecond, saturation.MessagesAcceptedPerSecond, cpu * 1e6 / requests, alloc0 < 0 ? -1 : (double)allocated / requests,
            saturation.ProducerCorrected.P99, cpu / seconds, client / seconds,
            options.FixedRate, atRate.RequestsPerSecond, atRate.ProducerCorrected.P50, atRate.ProducerCorrected.P99, atRate.Delivery.P99,
            fixedShare, saturation.Passed && atRate.Passed);
    }

    private async Task<LoadSummary> RunLoadAsync(ServerUnderTest server, string mode, string phase, double rate, double duration)
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
        var summary = await new LoadRun(load).RunAsync();
        Console.WriteLine($"[{mode} {phase}] {summary.RequestsPerSecond:N0} req/s, {summary.MessagesAcceptedPerSecond:N0} msg/s, POST p99 {summary.ProducerCorrected.P99:F1} ms,"
            + $" delivery p99 {summary.Delivery.P99:F1} ms, lost {summary.Ledger.Lost}");
        return summary;
    }
}
