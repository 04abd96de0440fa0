namespace Pix.Server.Ingest;

/// <summary><c>Pix:RateLimit:*</c>: each sender's token bucket (ICOM: 3750 tokens, 750/s, 1 per message, 0.2 per pacs.002).</summary>
public sealed class RateLimitOptions
{
    public double Capacity { get; set; } = 3750;
    public double RefillPerSecond { get; set; } = 750;
    public double CostPerMessage { get; set; } = 1;
    public double CostPerPacs002 { get; set; } = 0.2;
}
