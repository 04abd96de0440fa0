using Spectre.Console;

namespace Pix.Bench.Load;

/// <summary>
/// Live progress on the terminal: elapsed, requests/s, messages/s, p50/p99, errors and 429s, refreshed every second
/// (Spectre.Console). Without a terminal (tests, CI, <c>--quiet</c>) it prints one plain line every five seconds.
/// </summary>
internal sealed class ProgressView(LoadOptions options, LoadMetrics metrics, Ledger ledger, Func<LoadPhase> phase)
{
    public async Task RunAsync(CancellationToken done)
    {
        var interactive = !options.Quiet && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        if (!interactive)
        {
            while (!done.IsCancellationRequested)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(5), done); } catch (OperationCanceledException) { break; }
                Console.WriteLine(Line());
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            while (!done.IsCancellationRequested)
            {
                Fill(table);
                context.Refresh();
                try { await Task.Delay(TimeSpan.FromSeconds(1), done); } catch (OperationCanceledException) { break; }
            }
            Fill(table);
            context.Refresh();
        });
    }

    private void Fill(Table table)
    {
        var last = LastFullSecond();
        table.Rows.Clear();
        table.AddRow("run", $"{options.Scenario} {options.RunId} → {options.Targets}");
        table.AddRow("phase", phase().ToString());
        table.AddRow("elapsed", $"{metrics.Elapsed.TotalSeconds:F0} s of {options.DurationSeconds:F0} s (+ drain)");
        table.AddRow("requests/s", $"{last?.Requests ?? 0:N0}");
        table.AddRow("messages/s accepted · delivered", $"{last?.MessagesAccepted ?? 0:N0} · {last?.MessagesReceived ?? 0:N0}");
        table.AddRow("POST p50 / p99 (CO-corrected)", $"{metrics.ProducerCorrected.Millis(50):F1} / {metrics.ProducerCorrected.Millis(99):F1} ms");
        table.AddRow("delivery p50 / p99", $"{metrics.Delivery.Millis(50):F1} / {metrics.Delivery.Millis(99):F1} ms");
        table.AddRow("accepted · received (distinct)", $"{ledger.AcceptedCount:N0} · {ledger.ReceivedCount:N0}");
        table.AddRow("429s · errors", $"{metrics.TooManyByCause.Values.Sum():N0} · {metrics.Errors:N0}");
    }

    private string Line()
    {
        var last = LastFullSecond();
        return $"[{metrics.Elapsed.TotalSeconds,5:F0}s {phase()}] req/s {last?.Requests ?? 0} msg/s in {last?.MessagesAccepted ?? 0} out {last?.MessagesReceived ?? 0}"
            + $" POST p50 {metrics.ProducerCorrected.Millis(50):F1} p99 {metrics.ProducerCorrected.Millis(99):F1} ms"
            + $" delivery p99 {metrics.Delivery.Millis(99):F1} ms accepted {ledger.AcceptedCount} received {ledger.ReceivedCount}"
            + $" 429s {metrics.TooManyByCause.Values.Sum()} errors {metrics.Errors}";
    }

    private IntervalSample? LastFullSecond()
    {
        var intervals = metrics.Intervals;
        return intervals.Count >= 2 ? intervals[^2] : intervals.LastOrDefault();
    }
}
