using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Protocol.Signatures;

namespace Pix.Server.Tls;

/// <summary>Why a client certificate was refused, or <see cref="Accepted"/>.</summary>
public enum CertificateRefusal : byte
{
    Accepted,
    /// <summary>No certificate was presented (or forwarded).</summary>
    Missing,
    /// <summary>The bytes are not a certificate (proxy header: not URL-encoded PEM).</summary>
    Malformed,
    /// <summary>It does not chain to a configured client CA, or is not meant for client authentication.</summary>
    Untrusted,
    /// <summary>Outside its validity period.</summary>
    Expired,
    /// <summary>On the configured CRL (the certificate or a CA above it).</summary>
    Revoked,
    /// <summary>Its subject has no CN, or the CN is not an ISPB (<c>[0-9A-Z]{8}</c>).</summary>
    NotAnIspb,
}

/// <summary>The outcome of checking one client certificate against one generation of the trust material.</summary>
public sealed class CertificateVerdict
{
    private CertificateVerdict(CertificateRefusal refusal, X509Certificate2? certificate, Ispb ispb, int generation, long validUntilTicks)
    {
        Refusal = refusal;
        Certificate = certificate;
        Ispb = ispb;
        Generation = generation;
        ValidUntilTicks = validUntilTicks;
    }

    public CertificateRefusal Refusal { get; }
    public bool IsAccepted => Refusal == CertificateRefusal.Accepted;
    /// <summary>The participant's certificate (also the key its messages are signed with when no registry says otherwise).</summary>
    public X509Certificate2? Certificate { get; }
    /// <summary>The participant the certificate names (its subject CN).</summary>
    public Ispb Ispb { get; }
    /// <summary>The trust material generation it was checked against: a reload (new CA or CRL) checks it again.</summary>
    public int Generation { get; }
    /// <summary>UTC ticks after which the certificate has expired and must be checked again.</summary>
    public long ValidUntilTicks { get; }

    public static CertificateVerdict Accept(X509Certificate2 certificate, Ispb ispb, int generation) =>
        new(CertificateRefusal.Accepted, certificate, ispb, generation, certificate.NotAfter.ToUniversalTime().Ticks);

    public static CertificateVerdict Refuse(CertificateRefusal refusal, int generation) => new(refusal, null, default, generation, 0);

    private SignerCertificate[]? _signers;

    /// <summary>The certificate prepared for signature verification (made on first use, shared by every connection
    /// that presents it; empty when its key is not RSA, the only key the signature profile allows).</summary>
    public SignerCertificate[] Signers => Volatile.Read(ref _signers) ?? CreateSigners();

    private SignerCertificate[] CreateSigners()
    {
        SignerCertificate[] signers;
        try
        {
            signers = Certificate is null ? [] : [SignerCertificate.From(Certificate)];
        }
        catch (ArgumentException)
        {
            signers = [];
        }
        return Interlocked.CompareExchange(ref _signers, signers, null) ?? signers;
    }

    /// <summary>Still valid for <paramref name="generation"/> at <paramref name="utcTicks"/>.</summary>
    public bool IsCurrent(int generation, long utcTicks) => Generation == generation && utcTicks <= ValidUntilTicks;
}
