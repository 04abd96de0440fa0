namespace Pix.Bench.Load;

/// <summary>Throughput and service latency (send to last byte, milliseconds) of one endpoint and status.</summary>
internal sealed record EndpointSummary(string Endpoint, int Status, long Count, double PerSecond, double P50, double P99, double P999, double Max);
