using Pix.Bench.Load;
using Pix.Tests.Support;

namespace Pix.Tests.Bench;

/// <summary>
/// The load run's end against a real server: a producer that falls behind its schedule stops at its deadline and
/// leaves the streams their whole drain, so a verdict of "lost" means Pix lost something, and a real loss still fails.
/// </summary>
public sealed class LoadRunDrainTests
{
    [Fact]
    public async Task AProducerBehindItsScheduleLeavesTheStreamsTheirWholeDrain()
    {
        await using var server = await StartServerAsync();
        using var reports = new TempDirectory("pix-bench-report");
        // One connection cannot send 500,000 msg/s: the schedule runs far ahead of it. Before the fix it kept sending
        // that backlog past its duration until the hard stop (here 2 + 10 + 1 s from the start) cut it and the streams.
        var options = Options(server, reports.Path, durationSeconds: 2, rate: 500_000, drainSeconds: 10);
        options.Producers = 1;

        var summary = await new LoadRun(options).RunAsync();

        Assert.True(summary.Ledger.Accepted > 10, $"only {summary.Ledger.Accepted} messages were accepted");
        Assert.Equal(0, summary.Ledger.Lost);
        // The drain ended because everything accepted arrived, not because its time ran out.
        Assert.True(summary.DrainSeconds < options.DrainSeconds, $"the drain ran {summary.DrainSeconds:F1} s of {options.DrainSeconds} s");
        // What the producer had not sent at its deadline is reported apart.
        Assert.True(summary.Ledger.NotSent > 0, "nothing was left unsent: the producer was not behind, or it sent past its duration");
        Assert.True(summary.Passed);
        Assert.Contains("| not sent |", File.ReadAllText(Path.Combine(reports.Path, "report.md")));
    }

    [Fact]
    public async Task ADrainThatStartsLateStillGetsItsWholeAllowance()
    {
        await using var server = await StartServerAsync();
        using var reports = new TempDirectory("pix-bench-report");
        // The streams do not read for the first 13 s after the producer starts, and the drain starts 4 s after the
        // producer stops (as a failback or a compare sample may delay it). Counted from the run's start, the hard stop
        // (2 + 10 + 1 s) cut the streams before they read anything; counted from the drain's start they have until ~17 s.
        var options = Options(server, reports.Path, durationSeconds: 2, rate: 50, drainSeconds: 10);
        options.WindowFromSeconds = 0;
        options.WindowSeconds = 13;
        options.StallInWindow = true;
        var run = new LoadRun(options) { ProducerFinished = () => Task.Delay(TimeSpan.FromSeconds(4)) };

        var summary = await run.RunAsync();

        Assert.True(summary.Ledger.Accepted > 10, $"only {summary.Ledger.Accepted} messages were accepted");
        Assert.Equal(0, summary.Ledger.Lost);
        Assert.True(summary.Passed);
    }

    [Fact]
    public async Task MessagesTakenBehindTheLedgersBackAreReportedLost()
    {
        await using var server = await StartServerAsync();
        using var reports = new TempDirectory("pix-bench-report");
        var options = Options(server, reports.Path, durationSeconds: 4, rate: 100, drainSeconds: 8);
        options.Psps = 1;
        options.StreamsMin = options.StreamsMax = 2;
        // A reader the ledger does not know reads and acknowledges some of the run's PSP's batches: for the ledger
        // those messages were accepted and never arrived, which is exactly what a server that drops them looks like.
        var rogue = new RogueReader(options, options.RunId + "00");
        using var stopRogue = new CancellationTokenSource();
        var run = new LoadRun(options)
        {
            ProducerStarting = () =>
            {
                _ = rogue.RunAsync(stopRogue.Token);
                return Task.CompletedTask;
            },
            ProducerFinished = async () =>
            {
                await stopRogue.CancelAsync();
                await rogue.Finished;
            },
        };

        var summary = await run.RunAsync();

        Assert.True(rogue.Taken > 0, "the rogue reader got nothing: the test proves nothing");
        Assert.Equal(200, rogue.LastDeleteStatus);
        Assert.Equal(rogue.Taken, summary.Ledger.Lost);
        Assert.False(summary.Passed);
    }

    private static Task<PixServerProcess> StartServerAsync() =>
        // Short long polls and idle timeout so a stalled stream's batch comes back within the drain.
        PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "1"), ("Pix:Streams:IdleTimeoutSeconds", "2"));

    private static LoadOptions Options(PixServerProcess server, string output, double durationSeconds, double rate, double drainSeconds)
    {
        var options = new LoadOptions
        {
            Target = new Uri($"http://127.0.0.1:{server.Port}"),
            Admin = new Uri($"http://127.0.0.1:{server.AdminPort}"),
            DurationSeconds = durationSeconds,
            Rate = rate,
            Psps = 2,
            Producers = 2,
            AbandonShare = 0,
            DrainSeconds = drainSeconds,
            // The hard stop's grace is 30 s in real runs; 1 s here keeps the old failure within a short test.
            HardStopGraceSeconds = 1,
            Quiet = true,
            Output = output,
        };
        options.Validate();
        return options;
    }
}
