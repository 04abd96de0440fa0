using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Tls;

namespace Pix.Bench.Load;

/// <summary>
/// mTLS for the load tools (<c>--certs DIR</c>, a folder <c>pix-bench certs</c> wrote, or a server's dev-certs): trusts
/// the set's CA and presents one client certificate per participant. Participants with a certificate in the folder use
/// it; the run's random PSPs get one minted on the spot by the folder's CA (one shared key, so 200 PSPs cost 200
/// signatures, not 200 key generations). One options object per participant, reused by every connection, so .NET's
/// client resumes TLS sessions (resumption works with client certificates since .NET 9); <see cref="Resume"/> false
/// forces full handshakes.
/// </summary>
internal sealed class ClientTls : IDisposable
{
    private readonly CertificateSet _set;
    private readonly CertificateAuthority _authority;
    private readonly X509Certificate2 _ca;
    private readonly RSA _sharedKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, SslClientAuthenticationOptions> _options = new();

    public ClientTls(string directory, bool resume = true)
    {
        _set = new CertificateSet(directory);
        if (!File.Exists(_set.CaCertificate) || !File.Exists(_set.CaKey))
            throw new ArgumentException($"--certs {directory}: expected ca.pem and ca.key there (write a set with pix-bench certs --out DIR).");
        _authority = CertificateAuthority.Load(_set.CaCertificate, _set.CaKey);
        _ca = X509CertificateLoader.LoadCertificateFromFile(_set.CaCertificate);
        Resume = resume;
    }

    public bool Resume { get; }

    /// <summary>The handshake options for connections acting as <paramref name="ispb"/>.</summary>
    public SslClientAuthenticationOptions For(string ispb) => _options.GetOrAdd(ispb, Create);

    private SslClientAuthenticationOptions Create(string ispb)
    {
        var participant = Ispb.Parse(ispb);
        var certificate = File.Exists(_set.ClientKey(participant))
            ? X509Certificate2.CreateFromPemFile(_set.ClientCertificate(participant), _set.ClientKey(participant))
            : _authority.IssueClient(participant, _sharedKey);
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(_ca);
        return new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [certificate],
            CertificateChainPolicy = trust,
            EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            AllowTlsResume = Resume,
        };
    }

    public void Dispose()
    {
        _authority.Dispose();
        _sharedKey.Dispose();
    }
}
