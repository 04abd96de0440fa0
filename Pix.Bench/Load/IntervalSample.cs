namespace Pix.Bench.Load;

/// <summary>One second of the run: counts and the latencies recorded in it, for the plots over time.</summary>
internal sealed class IntervalSample(int second)
{
    public int Second => second;
    public long Requests;
    public long MessagesAccepted;
    public long MessagesReceived;
    public long Errors;
    public long TooMany;
    /// <summary>The server's RSS and managed heap (bytes) as last sampled in this second; 0 when not sampled.</summary>
    public long ServerRssBytes;
    public long ServerHeapBytes;
    public LatencyHistogram Post { get; } = new();
    public LatencyHistogram Delivery { get; } = new();
}
