namespace Pix.Server.Ingest;

/// <summary><c>Pix:Limits:*</c> and <c>Pix:Xml:*</c> that ingest applies.</summary>
public sealed class IngestOptions
{
    /// <summary>Largest body accepted, after gunzip.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>AppHdr/Sgntr must hold an XMLDSig signature; off accepts the BCB examples' empty <c>&lt;Sgntr/&gt;</c>.</summary>
    public bool RequireSignature { get; set; } = true;
    /// <summary>Back-pressure: a receiver with more unacknowledged messages than this takes no more (429) until its
    /// streams catch up, so a lagging PSP costs memory and latency in bounds instead of without limit.</summary>
    public long MaxBacklog { get; set; } = 200_000;
    /// <summary>Seconds a client is told to wait when storage cannot take writes.</summary>
    public int UnavailableRetryAfterSeconds { get; set; } = 1;
}
