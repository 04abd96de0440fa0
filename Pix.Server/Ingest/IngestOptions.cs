namespace Pix.Server.Ingest;

/// <summary><c>Pix:Limits:*</c> and <c>Pix:Xml:*</c> that ingest applies.</summary>
public sealed class IngestOptions
{
    /// <summary>Largest body accepted, after gunzip.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>AppHdr/Sgntr must hold an XMLDSig signature; off accepts the BCB examples' empty <c>&lt;Sgntr/&gt;</c>.</summary>
    public bool RequireSignature { get; set; } = true;
    /// <summary>Seconds a client is told to wait when storage cannot take writes.</summary>
    public int UnavailableRetryAfterSeconds { get; set; } = 1;
}
