using Pix.Bench.Load;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>pix-bench load --scenario soak|burst|schema|lag|slots|saturation|failover [--target http://127.0.0.1:8080]
/// [--admin http://127.0.0.1:9464] [--prometheus http://127.0.0.1:9090] [--certs DIR] [--duration s] [--rate msg/s] [--psps n] ...</c>
/// (failover: <c>--regions-state DIR</c> from ops/regions/start.sh, [--watch-after s] [--read-timeout s]):
/// drives a running Pix (over mutual TLS with <c>--certs</c>), writes a report folder (with the alerts' timeline when a
/// Prometheus is given), and exits 1 when the ledger found a lost message (or another delivery violation).
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        using var tls = options.Tls;
        var run = new LoadRun(options);
        var summary = await run.RunAsync();
        var l = summary.Ledger;
        Console.WriteLine($"{(summary.Passed ? "PASSED" : "FAILED")}: {summary.RequestsPerSecond:N0} requests/s, {summary.MessagesAcceptedPerSecond:N0} msg/s accepted,"
            + $" POST p99 {summary.ProducerCorrected.P99:F1} ms (CO-corrected), delivery p99 {summary.Delivery.P99:F1} ms;"
            + $" accepted {l.Accepted}, not sent {l.NotSent}, received {l.ReceivedDistinct}, lost {l.Lost}, unexpected duplicates {l.UnexpectedDuplicates}");
        Console.WriteLine($"Report: {Path.GetFullPath(run.OutputFolder)}/report.md");
        return summary.Passed ? 0 : 1;
    }
}
