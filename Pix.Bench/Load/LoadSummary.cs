namespace Pix.Bench.Load;

/// <summary>A whole run for machines (summary.json) and for <see cref="ReportWriter"/>.</summary>
internal sealed record LoadSummary(
    string Scenario, string RunId, string Target, DateTime StartedUtc, double DurationSeconds, double DrainSeconds,
    double OfferedRate, double RampTo, int Psps, int Streams, double InvalidShare,
    long Requests, double RequestsPerSecond, double MessagesAcceptedPerSecond, double MessagesDeliveredPerSecond,
    LatencySummary ProducerCorrected, LatencySummary ProducerService, LatencySummary Delivery,
    EndpointSummary[] Endpoints, IReadOnlyDictionary<string, long> TooManyByCause, IReadOnlyDictionary<string, long> Errors,
    long AbandonedStreams, LedgerVerdict Ledger, long? UnacknowledgedAfterDrain, bool Passed, string[] Plots, SecondSummary[] Seconds,
    string? ExpectedAlert, WindowSummary? Window, AlertSpan[]? Alerts)
{
    /// <summary>Failover: isolation, detection, takeover, map flip, first read in B, thaw, failback (seconds).</summary>
    public TimelineEvent[]? Timeline { get; init; }

    /// <summary>Failover: what region B's own PSPs were answered by B from the isolation on.</summary>
    public SurvivorAnswers? Survivors { get; init; }

    /// <summary>Failover: what the drill's <c>dr</c> commands printed, written to <c>dr.log</c> beside the report.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyCollection<string>? DrillTranscript { get; init; }
}

/// <summary>The pressure window in seconds since the run started, and what was applied in it.</summary>
internal sealed record WindowSummary(double From, double To, bool Stalled, int ExtraStreamsPerPsp, int FloodConnections);
