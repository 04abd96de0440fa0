namespace Pix.Bench.Load;

/// <summary>
/// One parsed response. <see cref="Body"/> points into the connection's buffer and is valid until the connection's
/// next request: the load generator reads it at once and keeps only the ids it finds.
/// </summary>
internal readonly record struct IcomResponse(int Status, ReadOnlyMemory<byte> Body, string? PullNext, int RetryAfterSeconds,
    string? ContentType, bool Gzip, bool Close);
