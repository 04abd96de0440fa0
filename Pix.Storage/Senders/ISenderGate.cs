using Pix.Protocol.Ids;

namespace Pix.Storage.Senders;

/// <summary>
/// The sender-side state every node must share: each sender's token bucket and its isolation (the share of its
/// messages that failed their checks over a sliding window). One call per ingest request takes the tokens and counts
/// the request in the window, so across nodes a sender can neither exceed its rate nor escape isolation.
/// </summary>
public interface ISenderGate
{
    /// <summary>Takes <paramref name="cost"/> tokens, all or none. When taken, counts <paramref name="messages"/> and
    /// <paramref name="failures"/> in the sender's window. The SPI is never isolated.</summary>
    ValueTask<SenderDecision> AdmitAsync(Ispb sender, double cost, int messages, int failures, CancellationToken cancellationToken = default);

    /// <summary>Lifts a sender's isolation and forgets its window; false when it was not isolated.</summary>
    ValueTask<bool> ReleaseAsync(Ispb sender, CancellationToken cancellationToken = default);

    /// <summary>Every isolated sender, with when its isolation began.</summary>
    ValueTask<IReadOnlyList<(Ispb Sender, DateTimeOffset Since)>> IsolatedAsync(CancellationToken cancellationToken = default);
}

/// <summary>What the gate decided: refused (with the seconds until the tokens would be there), or admitted, and
/// whether the sender was already isolated (its messages go to quarantine) or became isolated by this request.</summary>
public readonly record struct SenderDecision(bool Admitted, int RetryAfterSeconds, bool Isolated, bool NewlyIsolated)
{
    public static SenderDecision Refused(int retryAfterSeconds) => new(false, retryAfterSeconds, false, false);
}

/// <summary>The bucket (<c>Pix:RateLimit:*</c>) and isolation (<c>Pix:Xml:Isolate*</c>) settings.</summary>
public sealed record SenderGateSettings(
    double Capacity,
    double RefillPerSecond,
    double IsolateAboveRatio,
    int IsolateMinMessages,
    double WindowSeconds)
{
    public const int WindowBuckets = 10;

    /// <summary>Whole seconds until <paramref name="cost"/> tokens are there, at least 1.</summary>
    public int RetryAfter(double cost, double tokens) => Math.Max(1, (int)Math.Ceiling((cost - tokens) / RefillPerSecond));

    public bool Isolates(long total, long failed, int failuresNow) =>
        failuresNow > 0 && total >= IsolateMinMessages && (double)failed / total > IsolateAboveRatio;
}
