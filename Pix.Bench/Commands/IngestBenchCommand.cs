using Pix.Bench.Load;
using Pix.Bench.Reads;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>ingest</c>: durable ingest per second, POSTs of <c>--parts</c> messages (1: application/xml, more: multipart)
/// from <c>--connections</c> senders, each message new (its ids stamped in place per request). Same servers, phases
/// and report as <c>reads</c>: the ceiling (201 for any POST) and Pix per HTTP layer and store, saturation and half
/// of it, wrk POSTing to the ceiling in the same run.
/// </summary>
internal static class IngestBenchCommand
{
    public const string Usage = "ingest [--parts 1|10] [--connections 64] [--modes ceiling,pipeline,aspnet] [--storage memory,embedded] [--runs 1] "
        + "[--duration 5] [--warmup 3] [--jit-warmup 6] [--server-args \"--Pix:Key value ...\"] [--no-half] [--production [--signed-per-connection 150]] [--wrk /usr/bin/wrk|none] [--out FILE]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        try
        {
            var parts = (int)Math.Clamp(options.Number("parts", 1), 1, 100);
            if (options.Text("target") is { } target) return await RunAgainstAsync(TargetList.Parse(target), parts, options);
            return await ReadComparisonOptions.Parse(options, parts).RunAsync(options.Text("out"));
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>Against a server already running (profiling, a cluster): one closed-loop window, no server CPU figures.</summary>
    private static async Task<int> RunAgainstAsync(TargetList targets, int parts, CommandArguments options)
    {
        var runId = Random.Shared.Next(100_000, 999_999).ToString();
        var factory = new MessageFactory(runId);
        var receivers = Enumerable.Range(0, (int)options.Number("psps", 12)).Select(i => $"{runId}{i:D2}").ToArray();
        long batches = 0;
        using var run = new ReadRun([.. Enumerable.Range(0, (int)options.Number("connections", 64)).Select(i =>
            new IngestStream(targets.Next(), factory, receivers[i % receivers.Length], parts, () => Interlocked.Increment(ref batches)))]);
        var phase = await run.RunAsync(0, TimeSpan.FromSeconds(options.Number("warmup", 1)), TimeSpan.FromSeconds(options.Number("duration", 5)), serverCpu: null, progress: true);
        if (phase.Failure is not null) Console.Error.WriteLine(phase.Failure);
        Console.WriteLine($"ingest: {phase.Reads:N0} POSTs of {parts} in {phase.Seconds:F1} s = {phase.ReadsPerSecond:N0} POSTs/s, {phase.Messages / phase.Seconds:N0} messages/s; "
            + $"latency p50 {phase.P50:F2} ms, p99 {phase.P99:F2} ms");
        return phase.Failure is null ? 0 : 1;
    }
}
