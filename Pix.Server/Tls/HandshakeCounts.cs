namespace Pix.Server.Tls;

/// <summary>
/// Client certificates judged in TLS handshakes, by verdict (<see cref="CertificateRefusal"/>, Accepted included):
/// plain counters the telemetry reads at scrape time as <c>pix_tls_handshakes_total{outcome}</c>. A surge of one
/// refusal (expired, revoked, untrusted) is usually one participant whose certificate lapsed.
/// </summary>
public sealed class HandshakeCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<CertificateRefusal>().Length];

    public void Record(CertificateRefusal verdict) => Interlocked.Increment(ref _counts[(int)verdict]);

    public long this[CertificateRefusal verdict] => Volatile.Read(ref _counts[(int)verdict]);

    /// <summary>The label value for a verdict: accepted, missing, malformed, untrusted, expired, revoked, not_an_ispb.</summary>
    public static string Outcome(CertificateRefusal verdict) => verdict switch
    {
        CertificateRefusal.Accepted => "accepted",
        CertificateRefusal.Missing => "missing",
        CertificateRefusal.Malformed => "malformed",
        CertificateRefusal.Untrusted => "untrusted",
        CertificateRefusal.Expired => "expired",
        CertificateRefusal.Revoked => "revoked",
        CertificateRefusal.NotAnIspb => "not_an_ispb",
        _ => "other",
    };
}
