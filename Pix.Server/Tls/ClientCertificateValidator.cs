using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;

namespace Pix.Server.Tls;

/// <summary>
/// Decides whether a client certificate names a participant: it chains to one of the configured client CAs
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>, the system store plays no part), is valid now, allows client
/// authentication, is not on the CRL (nor is a CA above it), and its subject CN is an ISPB. Verdicts are cached by
/// the certificate's SHA-256, so a resumed TLS session or a new connection of a known participant costs a hash and a
/// lookup, not a chain build. One validator per generation of the trust material: a reload starts a fresh cache.
/// </summary>
public sealed class ClientCertificateValidator
{
    private const int MaxCached = 10_000;
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509ChainPolicy _policy;
    private readonly IReadOnlyList<RevocationList> _crls;
    private readonly ConcurrentDictionary<string, CertificateVerdict> _cache = new(StringComparer.Ordinal);

    internal ClientCertificateValidator(X509Certificate2Collection authorities, IReadOnlyList<RevocationList> crls, int generation)
    {
        _policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // Revocation is checked against the configured CRL below: X509Chain can only use CRLs it downloads itself,
            // and a listener never reaches out (no AIA or CRL fetches).
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        _policy.ApplicationPolicy.Add(ClientAuth);
        foreach (var authority in authorities)
        {
            // Self-signed: a trust anchor. Anything else in the bundle helps build chains through intermediates.
            if (authority.SubjectName.RawData.AsSpan().SequenceEqual(authority.IssuerName.RawData)) _policy.CustomTrustStore.Add(authority);
            else _policy.ExtraStore.Add(authority);
        }
        if (_policy.CustomTrustStore.Count == 0) throw new CryptographicException("the client CA bundle holds no self-signed (root) certificate");
        _crls = crls;
        Generation = generation;
    }

    public int Generation { get; }

    /// <summary>A copy of the chain policy (custom roots, client authentication, no downloads; verifies at the time of
    /// the build). The TLS handshake builds its own chain with it, so it never consults the system store either.</summary>
    public X509ChainPolicy ChainPolicy() => _policy.Clone();

    public CertificateVerdict Validate(X509Certificate2 certificate, X509Certificate2Collection? presentedChain = null)
    {
        var key = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_cache.TryGetValue(key, out var known) && known.IsCurrent(Generation, DateTime.UtcNow.Ticks)) return known;
        var verdict = Check(certificate, presentedChain);
        // Refusals are not cached: they are rare, and a cache of them would be a memory lever for whoever sends them.
        if (verdict.IsAccepted)
        {
            if (_cache.Count >= MaxCached) _cache.Clear();
            _cache[key] = verdict;
        }
        return verdict;
    }

    private CertificateVerdict Check(X509Certificate2 certificate, X509Certificate2Collection? presentedChain)
    {
        using var chain = new X509Chain { ChainPolicy = ChainPolicy() };
        if (presentedChain is not null) chain.ChainPolicy.ExtraStore.AddRange(presentedChain);
        if (!chain.Build(certificate))
        {
            var expired = chain.ChainStatus.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid));
            return CertificateVerdict.Refuse(expired ? CertificateRefusal.Expired : CertificateRefusal.Untrusted, Generation);
        }
        foreach (var element in chain.ChainElements)
        {
            foreach (var crl in _crls)
            {
                if (crl.Revokes(element.Certificate)) return CertificateVerdict.Refuse(CertificateRefusal.Revoked, Generation);
            }
        }
        // The verdict outlives this connection (cached for the next ones), and SslStream disposes the certificate it
        // handed over when its connection ends: keep a copy of our own.
        return TryReadIspb(certificate, out var ispb)
            ? CertificateVerdict.Accept(X509CertificateLoader.LoadCertificate(certificate.RawDataMemory.Span), ispb, Generation)
            : CertificateVerdict.Refuse(CertificateRefusal.NotAnIspb, Generation);
    }

    /// <summary>The subject's one CN, when it is an ISPB (<c>[0-9A-Z]{8}</c>).</summary>
    public static bool TryReadIspb(X509Certificate2 certificate, out Ispb ispb)
    {
        ispb = default;
        string? cn = null;
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (name.HasMultipleElements || name.GetSingleElementType().Value != "2.5.4.3") continue;
            if (cn is not null) return false;
            cn = name.GetSingleElementValue();
        }
        return cn is { Length: Ispb.Length } && Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(cn), out ispb);
    }
}
