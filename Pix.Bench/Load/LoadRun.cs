using System.Diagnostics;

namespace Pix.Bench.Load;

/// <summary>
/// One load run: PSP streams start first, the SPI producer runs for the duration, then the streams drain until the
/// ledger is complete and Pix reports nothing unacknowledged (or the drain time is up), then the verdict and report.
/// The producer stops at its own deadline; the drain's time (and the streams' hard stop) count from when it starts.
/// With <c>--prometheus</c>, it then waits (up to <c>--settle</c>) for the scenario's alert to resolve and reads every
/// Pix alert's timeline from Prometheus into the report.
/// </summary>
internal sealed class LoadRun(LoadOptions options)
{
    private volatile LoadPhase _phase = LoadPhase.Producing;

    public string OutputFolder { get; } = options.OutputFolder;

    /// <summary>Called when the producer stops, before the drain: compare samples server CPU and allocations here,
    /// so its per-request figures cover the loaded window only.</summary>
    public Func<Task>? ProducerFinished { get; init; }

    /// <summary>Called just before the producer starts (the streams are open by then).</summary>
    public Func<Task>? ProducerStarting { get; init; }

    public async Task<LoadSummary> RunAsync()
    {
        var started = DateTime.UtcNow;
        var factory = new MessageFactory(options.RunId);
        var ledger = new Ledger();
        var metrics = new LoadMetrics();
        var psps = Enumerable.Range(0, options.Psps).Select(i => options.RunId + Base36(i)).ToArray();
        using var stop = new CancellationTokenSource();
        // A failover drill may run past the producer (A stays frozen until B served one of its PSPs, then failback is
        // retried until it succeeds): it gets its own allowance, and the drain starts after it either way.
        var failover = options is { Routes: not null, Scenario: "failover" };
        var drillAllowance = failover ? RegionDrill.Allowance : TimeSpan.Zero;
        using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(options.DurationSeconds + options.DrainSeconds + options.HardStopGraceSeconds) + drillAllowance);
        using var progressDone = new CancellationTokenSource();
        var progress = Task.Run(() => new ProgressView(options, metrics, ledger, () => _phase).RunAsync(progressDone.Token));
        var window = new PressureWindow(options.WindowFromSeconds, options.WindowSeconds);
        if (options.Routes is not null)
        {
            // On two regions: PSPs of both, half at home in each (failover freezes the SPI's home region).
            var plan = options.Routes.Plan;
            var home = plan.Home(MessageFactory.Spi);
            psps = Enumerable.Range(0, 36 * 36).Select(i => options.RunId + Base36(i))
                .GroupBy(plan.Home).SelectMany(g => g.Take(Math.Max(1, options.Psps / 2))).ToArray();
            if (psps.Count(p => plan.Home(p) == home) == 0) throw new InvalidOperationException("No PSP of the frozen region was found.");
        }

        var streams = new List<Task>();
        foreach (var psp in psps)
        {
            var count = Random.Shared.Next(options.StreamsMin, options.StreamsMax + 1);
            for (var i = 0; i < count; i++) streams.Add(Task.Run(() => new PspStream(psp, options, factory, ledger, metrics, window).RunAsync(stop.Token, hardStop.Token)));
            for (var i = 0; i < options.ExtraStreams; i++)
                streams.Add(Task.Run(() => new PspStream(psp, options, factory, ledger, metrics, window, greedy: true).RunAsync(stop.Token, hardStop.Token)));
        }
        var expectNotices = options.InvalidShare > 0;
        if (expectNotices)
        {
            for (var i = 0; i < 2; i++) streams.Add(Task.Run(() => new PspStream(MessageFactory.Spi, options, factory, ledger, metrics, window).RunAsync(stop.Token, hardStop.Token)));
        }
        using var memory = new ServerMemoryProbe(options.Admin, metrics);
        var sampling = Task.Run(() => memory.RunAsync(progressDone.Token));
        var flood = new ConnectionFlood(options, window);
        var flooding = Task.Run(() => flood.RunAsync(stop.Token));
        var drill = failover ? new RegionDrill(options, options.Routes!, metrics) : null;
        var drilling = drill is null ? Task.CompletedTask : Task.Run(() => drill.RunAsync(window, hardStop.Token));

        // Let the streams open (hundreds of stream/start at once) before the first message, so the producer's first
        // second measures Pix under load and not the stampede of connections.
        await Task.Delay(TimeSpan.FromSeconds(1));
        if (ProducerStarting is not null) await ProducerStarting();
        var producingFrom = (int)Math.Ceiling(metrics.Elapsed.TotalSeconds);
        window.Start();
        var windowStart = metrics.Elapsed.TotalSeconds + options.WindowFromSeconds;
        await new SpiProducer(options, factory, ledger, metrics, psps).RunAsync(hardStop.Token);
        // Failover: the failback may still be running when the producer stops; the drain starts once it is done.
        await drilling;
        if (ProducerFinished is not null) await ProducerFinished();
        _phase = LoadPhase.Draining;
        var drainStarted = Stopwatch.GetTimestamp();
        // The drain gets its whole allowance whenever it starts: counted from the run's start, a producer (or a failback)
        // that ran late would eat it, and the streams would stop before receiving what Pix had accepted.
        hardStop.CancelAfter(TimeSpan.FromSeconds(options.DrainSeconds + options.HardStopGraceSeconds));
        using var admin = new AdminProbe(options.Admin);
        long? unacknowledged = null;
        while (Stopwatch.GetElapsedTime(drainStarted).TotalSeconds < options.DrainSeconds)
        {
            if (ledger.Complete(expectNotices))
            {
                var pending = await admin.PendingAsync(psps, hardStop.Token);
                unacknowledged = pending?.Unacknowledged;
                // Complete and nothing claimed-but-unacknowledged left (abandoned batches have come back and been read).
                if (pending is { Unacknowledged: 0, Depth: 0 }) break;
            }
            await Task.Delay(500);
        }
        var drainSeconds = Stopwatch.GetElapsedTime(drainStarted).TotalSeconds;
        stop.Cancel();
        await Task.WhenAll(streams);
        await flooding;
        var alerts = await AlertTimelineAsync(started);
        _phase = LoadPhase.Done;
        progressDone.Cancel();
        await progress;
        await sampling;

        var verdict = ledger.Verdict(expectNotices);
        var summary = Summarize(options, started, producingFrom, drainSeconds, metrics, verdict, unacknowledged, streams.Count) with
        {
            ExpectedAlert = options.ExpectedAlert,
            Window = window.IsEmpty ? null : new WindowSummary(windowStart, windowStart + options.WindowSeconds, options.StallInWindow, options.ExtraStreams, flood.Opened),
            Alerts = alerts,
            Timeline = drill?.Timeline,
            Survivors = drill?.Survivors,
            DrillTranscript = drill?.Transcript,
        };
        var distributions = new Dictionary<string, LatencyHistogram> { ["POST (CO-corrected)"] = metrics.ProducerCorrected, ["delivery"] = metrics.Delivery };
        foreach (var (key, histogram) in metrics.ByEndpoint)
        {
            if (key.StartsWith("GET /stream/{token} 200", StringComparison.Ordinal) || key.StartsWith("DELETE", StringComparison.Ordinal)) distributions[key] = histogram;
        }
        return ReportWriter.Write(OutputFolder, summary, distributions);
    }

    /// <summary>Waits (up to --settle) until the scenario's alert has fired and resolved, then reads every Pix alert's timeline.</summary>
    private async Task<AlertSpan[]?> AlertTimelineAsync(DateTime started)
    {
        if (options.Prometheus is null) return null;
        using var prometheus = new PrometheusAlerts(options.Prometheus);
        try
        {
            var settle = Stopwatch.StartNew();
            while (options.ExpectedAlert is { } expected && settle.Elapsed.TotalSeconds < options.SettleSeconds)
            {
                var timeline = await prometheus.TimelineAsync(started, DateTime.UtcNow, CancellationToken.None);
                if (timeline.Any(a => a.Alert == expected && a.FiringAt is not null) && !await prometheus.IsFiringAsync(expected, CancellationToken.None)) break;
                await Task.Delay(1000);
            }
            return await prometheus.TimelineAsync(started, DateTime.UtcNow, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"Prometheus at {options.Prometheus} did not answer: {e.Message}");
            return null;
        }
    }

    private static LoadSummary Summarize(LoadOptions options, DateTime started, int producingFrom, double drainSeconds, LoadMetrics metrics, LedgerVerdict verdict,
        long? unacknowledged, int streams)
    {
        var seconds = metrics.Intervals.Select(s => new SecondSummary(s.Second, s.Requests, s.MessagesAccepted, s.MessagesReceived, s.Errors, s.TooMany,
            s.Post.Millis(50), s.Post.Millis(99), s.Delivery.Millis(50), s.Delivery.Millis(99),
            s.ServerRssBytes / 1048576.0, s.ServerHeapBytes / 1048576.0)).ToArray();
        // Whole seconds inside the producing window only: throughput is not diluted by the start or the drain.
        var producing = seconds.Where(s => s.Second >= producingFrom && s.Second < producingFrom + (int)options.DurationSeconds - 1).ToArray();
        var window = Math.Max(1, producing.Length);
        var elapsed = metrics.Elapsed.TotalSeconds;
        var endpoints = metrics.ByEndpoint
            .Select(p =>
            {
                var split = p.Key.LastIndexOf(' ');
                var h = p.Value;
                return new EndpointSummary(p.Key[..split], int.Parse(p.Key[(split + 1)..]), h.Count, h.Count / elapsed,
                    h.Millis(50), h.Millis(99), h.Millis(99.9), h.MaxMillis);
            })
            .OrderBy(e => e.Endpoint).ThenBy(e => e.Status).ToArray();
        return new LoadSummary(options.Scenario, options.RunId, options.Targets.ToString(), started, options.DurationSeconds, drainSeconds,
            options.Rate, options.RampTo, options.Psps, streams, options.InvalidShare,
            metrics.Requests, producing.Sum(s => s.Requests) / (double)window, producing.Sum(s => s.Accepted) / (double)window,
            producing.Sum(s => s.Delivered) / (double)window,
            LatencySummary.Of(metrics.ProducerCorrected), LatencySummary.Of(metrics.ProducerService), LatencySummary.Of(metrics.Delivery),
            endpoints, new SortedDictionary<string, long>(metrics.TooManyByCause.ToDictionary()),
            new SortedDictionary<string, long>(metrics.ErrorsByKind.ToDictionary()), metrics.AbandonedStreams, verdict, unacknowledged,
            verdict.Passed, [], seconds, null, null, null);
    }

    private static string Base36(int value)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        return $"{digits[value / 36 % 36]}{digits[value % 36]}";
    }
}
