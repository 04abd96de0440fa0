using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Server.Hosting;
using Pix.Server.Tls;

namespace Pix.Server.Identity;

/// <summary>
/// How the ICOM listener knows its callers, assembled once from <c>Pix:Tls:*</c> and <c>Pix:Participants:Path</c>:
/// the mode, the TLS material and the registry (both reloaded when their files change), and the Kestrel wiring that
/// puts a <see cref="PeerIdentity"/> on every connection before our HTTP layer sees it.
/// </summary>
internal sealed partial class IcomIdentity : IDisposable
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];
    private readonly ILogger _log;

    private IcomIdentity(TlsMode mode, Reloadable<TlsMaterial>? tls, Reloadable<ParticipantRegistry>? registry, TrustedNetworks trustedProxies,
        string proxyHeader, CertificateSet? development, ILogger log)
    {
        Mode = mode;
        Tls = tls;
        Registry = registry;
        TrustedProxies = trustedProxies;
        ProxyHeader = proxyHeader;
        Development = development;
        _log = log;
    }

    public TlsMode Mode { get; }
    public Reloadable<TlsMaterial>? Tls { get; }
    public Reloadable<ParticipantRegistry>? Registry { get; }
    public TrustedNetworks TrustedProxies { get; }
    public string ProxyHeader { get; }
    /// <summary>Client certificates judged in handshakes (mtls), by verdict.</summary>
    public HandshakeCounts Handshakes { get; } = new();

    /// <summary>The development certificate set in use (mtls with nothing configured), else null.</summary>
    public CertificateSet? Development { get; }

    /// <summary>TLS off and no registry: the embedded benchmarks and unit tests, where identity is not the subject.</summary>
    public static IcomIdentity Off() => new(TlsMode.Off, null, null, TrustedNetworks.None, "", null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>Reads the configuration and the files it names; throws <see cref="ArgumentException"/> saying what to fix.</summary>
    public static IcomIdentity Create(PixOptions options, string dataDir, ILoggerFactory logs)
    {
        var settings = options.Tls;
        var mode = settings.ParsedMode;
        var check = TimeSpan.FromSeconds(Math.Max(0, settings.ReloadCheckSeconds));
        var log = logs.CreateLogger<IcomIdentity>();
        var files = new TlsFiles(Full(settings.CertificatePath), Full(settings.KeyPath), settings.CertificatePassword, Full(settings.ClientCaPath), Full(settings.CrlPath));
        CertificateSet? development = null;
        var proxies = TrustedNetworks.None;
        switch (mode)
        {
            case TlsMode.Mtls when files.CertificatePath.Length == 0 && files.ClientCaPath.Length == 0:
                development = CertificateSet.EnsureDevelopment(Path.Combine(dataDir, "dev-certs"), out var created);
                if (created) LogDevelopmentCreated(log, development.Directory);
                files = files with { CertificatePath = development.ServerCertificate, KeyPath = development.ServerKey, CertificatePassword = "", ClientCaPath = development.CaCertificate };
                break;
            case TlsMode.Mtls when files.CertificatePath.Length == 0 || files.ClientCaPath.Length == 0:
                throw new ArgumentException("Pix:Tls:Mode mtls needs both Pix:Tls:CertificatePath (the server certificate) and Pix:Tls:ClientCaPath "
                    + "(the participants' CA), or neither for the development certificates.");
            case TlsMode.Proxy:
                if (files.ClientCaPath.Length == 0)
                    throw new ArgumentException("Pix:Tls:Mode proxy needs Pix:Tls:ClientCaPath: Pix checks the forwarded certificate's chain itself.");
                proxies = TrustedNetworks.Parse(settings.TrustedProxies, "Pix:Tls:TrustedProxies");
                if (proxies.IsEmpty)
                    throw new ArgumentException("Pix:Tls:Mode proxy needs Pix:Tls:TrustedProxies: the CIDRs of the TLS terminators allowed to forward certificates.");
                if (string.IsNullOrWhiteSpace(settings.ProxyHeader) || !settings.ProxyHeader.All(c => c is > ' ' and < '\x7f' and not ':'))
                    throw new ArgumentException($"Pix:Tls:ProxyHeader '{settings.ProxyHeader}' is not a header name.");
                break;
        }

        Reloadable<TlsMaterial>? tls = null;
        if (mode != TlsMode.Off)
        {
            var withServer = mode == TlsMode.Mtls;
            tls = new Reloadable<TlsMaterial>("TLS material", files.All, generation => TlsMaterial.Load(files, withServer, generation),
                material => material.Summary, check, logs.CreateLogger<Reloadable<TlsMaterial>>());
            WarnIfCrlStale(log, tls.Current, files.CrlPath);
            tls.Reloaded = material => WarnIfCrlStale(log, material, files.CrlPath);
        }
        Reloadable<ParticipantRegistry>? registry = null;
        if (!string.IsNullOrWhiteSpace(options.Participants.Path))
        {
            var path = Full(options.Participants.Path);
            registry = new Reloadable<ParticipantRegistry>("Participant registry", [path], _ => ParticipantRegistry.Load(path),
                r => r.Describe(), check, logs.CreateLogger<Reloadable<ParticipantRegistry>>());
        }
        if (mode == TlsMode.Off && registry is null && options.Xml.RequireSignature)
        {
            tls?.Dispose();
            throw new ArgumentException("Pix:Xml:RequireSignature true verifies every message against its sender's certificate, and with "
                + "Pix:Tls:Mode off there is none to verify against: set Pix:Participants:Path (a registry listing each participant's "
                + "signingCertificates), use mtls or proxy mode, or set Pix:Xml:RequireSignature false for a trial without signatures.");
        }
        if (mode == TlsMode.Off) LogTlsOff(log);
        return new IcomIdentity(mode, tls, registry, proxies, settings.ProxyHeader.Trim(), development, log);
    }

    /// <summary>The URL scheme the ICOM listener speaks.</summary>
    public string Scheme => Mode == TlsMode.Mtls ? "https" : "http";

    /// <summary>The identity part of the startup line.</summary>
    public string Describe()
    {
        var what = Mode switch
        {
            TlsMode.Mtls when Development is { } set =>
                $"mutual TLS with the development certificates in {set.Directory} (CA ca.pem; server.pem for localhost; "
                + $"participants {string.Join(", ", set.Participants())} as {{ispb}}.pem/.key/.p12)",
            TlsMode.Mtls => $"mutual TLS: {Tls!.Current.Summary}",
            TlsMode.Proxy => $"client certificates forwarded in {ProxyHeader} by {TrustedProxies} and checked against {Tls!.Current.Summary}",
            _ => "NONE. TLS IS OFF: plain HTTP, and the ISPB in the path is trusted, so anyone who can reach this port can act as any participant (development and tests only)",
        };
        return Registry is null ? what : $"{what}; registry of {Registry.Current.Describe()}";
    }

    /// <summary>The ICOM listener's transport: HTTP/1.1 only (no h2 in ALPN), TLS in mtls mode, and a
    /// <see cref="PeerIdentity"/> on every connection. Call before <c>UsePixHttp</c>.</summary>
    public void ConfigureListener(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1;
        if (Mode == TlsMode.Mtls)
        {
            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = OnTlsConnection, HandshakeTimeout = TimeSpan.FromSeconds(10) });
        }
        listen.Use(next => connection =>
        {
            if (connection.Features.Get<PeerIdentity>() is null)
            {
                var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
                connection.Features.Set(new PeerIdentity(address, Mode == TlsMode.Proxy && TrustedProxies.Contains(address)));
            }
            return next(connection);
        });
    }

    /// <summary>Per connection: the current generation's server certificate and a validation callback that records the
    /// verdict on the connection. A refused certificate fails the handshake: such a client never reaches HTTP.</summary>
    private ValueTask<SslServerAuthenticationOptions> OnTlsConnection(TlsHandshakeCallbackContext context)
    {
        var material = Tls!.Current;
        var connection = context.Connection;
        var peer = new PeerIdentity((connection.RemoteEndPoint as IPEndPoint)?.Address, fromTrustedProxy: false);
        connection.Features.Set(peer);
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = material.ServerContext,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Http11Only,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = material.Clients.ChainPolicy(),
            RemoteCertificateValidationCallback = (_, certificate, chain, _) => Accept(peer, material, certificate, chain, connection.ConnectionId),
        });
    }

    private bool Accept(PeerIdentity peer, TlsMaterial material, X509Certificate? certificate, X509Chain? chain, string connectionId)
    {
        if (certificate is null)
        {
            Handshakes.Record(CertificateRefusal.Missing);
            LogRefused(_log, connectionId, peer.Address?.ToString() ?? "?", "(none)", CertificateRefusal.Missing);
            return false;
        }
        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var verdict = material.Clients.Validate(presented, chain?.ChainPolicy.ExtraStore);
        Handshakes.Record(verdict.IsAccepted ? CertificateRefusal.Accepted : verdict.Refusal);
        if (!verdict.IsAccepted)
        {
            LogRefused(_log, connectionId, peer.Address?.ToString() ?? "?", presented.Subject, verdict.Refusal);
            return false;
        }
        // The verdict's own copy: SslStream disposes the certificate it handed over when the connection ends.
        peer.ClientCertificate = verdict.Certificate;
        peer.Verdict = verdict;
        return true;
    }

    private static string Full(string path) => string.IsNullOrWhiteSpace(path) ? "" : Path.GetFullPath(path.Trim());

    private static void WarnIfCrlStale(ILogger log, TlsMaterial material, string path)
    {
        if (material.CrlNextUpdate is { } next && next < DateTimeOffset.UtcNow) LogStaleCrl(log, path, next.UtcDateTime);
    }

    public void Dispose()
    {
        Tls?.Dispose();
        Registry?.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "Created development certificates in {Directory}: a new CA, the server (localhost) and clients for the SPI and two PSPs. Nothing outside this machine trusts them.")]
    private static partial void LogDevelopmentCreated(ILogger log, string directory);

    [LoggerMessage(2, LogLevel.Information, "TLS handshake refused on connection {ConnectionId} from {Address}: client certificate {Subject}: {Refusal}")]
    private static partial void LogRefused(ILogger log, string connectionId, string address, string subject, CertificateRefusal refusal);

    [LoggerMessage(4, LogLevel.Warning, "Pix:Tls:Mode is off: the ICOM listener accepts plain HTTP and trusts the ISPB in every path, so any client can act as any participant. For development and tests only.")]
    private static partial void LogTlsOff(ILogger log);

    [LoggerMessage(3, LogLevel.Warning, "The CRL {Path} is past its next update ({NextUpdate:u}): revocations published since are not known; it is still applied")]
    private static partial void LogStaleCrl(ILogger log, string path, DateTime nextUpdate);
}
