using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;

namespace Pix.Server.Tls;

/// <summary>
/// A certificate authority for development, tests, load runs and operators' labs: it issues the server certificate
/// and one client certificate per participant (subject CN = the ISPB, as ICOM names participants), and signs CRLs.
/// System.Security.Cryptography only, so no openssl is needed anywhere.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private CertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static CertificateAuthority Create(string name = "Pix development CA", int years = 10)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}, O=Pix, C=BR"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now.AddHours(-1), now.AddYears(years)));
    }

    /// <summary>Loads a CA written by <see cref="CertificateSet"/> (certificate and PKCS#8 key, PEM).</summary>
    public static CertificateAuthority Load(string certificatePem, string keyPem) =>
        new(X509Certificate2.CreateFromPemFile(certificatePem, keyPem));

    /// <summary>A TLS server certificate (ECDSA P-256: the cheapest full handshake) for the given names and addresses.</summary>
    public X509Certificate2 IssueServer(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, int years = 2)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = new SubjectAlternativeNameBuilder();
        var first = "localhost";
        var any = false;
        foreach (var dns in dnsNames)
        {
            if (!any) first = dns;
            names.AddDnsName(dns);
            any = true;
        }
        foreach (var address in addresses) names.AddIpAddress(address);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={first}, O=Pix, C=BR"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], critical: false));
        return Issue(request, years).CopyWithPrivateKey(key);
    }

    /// <summary>A participant's client certificate: subject CN = <paramref name="ispb"/>, RSA (its key also signs the
    /// participant's XML messages, whose profile is RSA-SHA256). <paramref name="key"/> lets load runs share one key.</summary>
    public X509Certificate2 IssueClient(Ispb ispb, RSA? key = null, int years = 2, DateTimeOffset? notAfter = null)
    {
        var owned = key is null ? RSA.Create(2048) : null;
        try
        {
            var rsa = key ?? owned!;
            var request = new CertificateRequest(new X500DistinguishedName($"CN={ispb}, O=Pix participant, C=BR"), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], critical: false));
            return Issue(request, years, notAfter).CopyWithPrivateKey(rsa);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>A DER CRL signed by this CA that revokes <paramref name="revoked"/>.</summary>
    public byte[] RevocationList(IEnumerable<X509Certificate2> revoked, long number, TimeSpan? validFor = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked) builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        var now = DateTimeOffset.UtcNow;
        return builder.Build(Certificate, new BigInteger(number), now.Add(validFor ?? TimeSpan.FromDays(7)), HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1, now.AddMinutes(-1));
    }

    private X509Certificate2 Issue(CertificateRequest request, int years, DateTimeOffset? notAfter = null)
    {
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddYears(years);
        // A certificate may not outlive its issuer; one made already expired (for tests) starts a day before its end.
        if (end > Certificate.NotAfter) end = Certificate.NotAfter;
        var start = end < now ? end.AddDays(-1) : now.AddHours(-1);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        // By signature generator, not by issuer certificate: the CA's key (RSA) and the subject's (ECDSA for the server) may differ.
        using var caKey = Certificate.GetRSAPrivateKey()!;
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), start, end, serial);
    }

    public void Dispose() => Certificate.Dispose();
}
