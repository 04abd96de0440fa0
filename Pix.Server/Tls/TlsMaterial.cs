using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pix.Server.Tls;

/// <summary>
/// One generation of what TLS trusts and presents: the server certificate (mtls mode), the client CAs and the CRL.
/// Immutable; a reload builds the next generation and swaps it in, so a handshake always sees one consistent set.
/// </summary>
public sealed class TlsMaterial
{
    private TlsMaterial(int generation, X509Certificate2? server, SslStreamCertificateContext? serverContext,
        ClientCertificateValidator clients, DateTimeOffset? crlNextUpdate, DateTime clientCaNotAfter, string summary)
    {
        ClientCaNotAfter = clientCaNotAfter;
        CrlNextUpdate = crlNextUpdate;
        Generation = generation;
        ServerCertificate = server;
        ServerContext = serverContext;
        Clients = clients;
        Summary = summary;
    }

    public int Generation { get; }
    public X509Certificate2? ServerCertificate { get; }
    /// <summary>The server certificate with its chain, built once per generation (SslStream reuses it per handshake).</summary>
    public SslStreamCertificateContext? ServerContext { get; }
    public ClientCertificateValidator Clients { get; }
    /// <summary>The earliest next update of the configured CRLs; past it the CRL is stale (still used, and logged).</summary>
    public DateTimeOffset? CrlNextUpdate { get; }
    /// <summary>When the first of the client CA certificates expires (UTC): past it, that CA's participants cannot connect.</summary>
    public DateTime ClientCaNotAfter { get; }
    /// <summary>One line for the log: what was loaded.</summary>
    public string Summary { get; }

    /// <summary>Reads the files; throws <see cref="ArgumentException"/> naming the file and the problem.</summary>
    public static TlsMaterial Load(TlsFiles files, bool withServer, int generation)
    {
        var authorities = CertificateFiles.LoadBundle(files.ClientCaPath, "Pix:Tls:ClientCaPath");
        List<RevocationList> crls = [];
        if (!string.IsNullOrWhiteSpace(files.CrlPath))
        {
            if (!File.Exists(files.CrlPath)) throw new ArgumentException($"Pix:Tls:CrlPath '{files.CrlPath}' does not exist.");
            try
            {
                crls = RevocationList.ReadFile(files.CrlPath, authorities);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException($"Pix:Tls:CrlPath '{files.CrlPath}' was refused: {e.Message}.", e);
            }
        }
        ClientCertificateValidator clients;
        try
        {
            clients = new ClientCertificateValidator(authorities, crls, generation);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"Pix:Tls:ClientCaPath '{files.ClientCaPath}': {e.Message}.", e);
        }

        X509Certificate2? server = null;
        SslStreamCertificateContext? context = null;
        if (withServer)
        {
            if (string.IsNullOrWhiteSpace(files.CertificatePath)) throw new ArgumentException("Pix:Tls:CertificatePath is required in mtls mode.");
            (server, var chain) = CertificateFiles.LoadWithKey(files.CertificatePath, files.KeyPath, files.CertificatePassword, "Pix:Tls:CertificatePath");
            // Offline: no OCSP fetch for stapling (our listeners never reach out). The client CAs are named in the
            // CertificateRequest, so a client holding several certificates picks the right one.
            context = SslStreamCertificateContext.Create(server, chain, offline: true, TrustFor(authorities));
        }

        var revoked = crls.Sum(c => c.Count);
        var nextUpdate = crls.Count == 0 ? null : crls.Min(c => c.NextUpdate);
        var summary = (server is null ? "" : $"server certificate '{server.Subject}' (expires {server.NotAfter.ToUniversalTime():yyyy-MM-dd}); ")
            + $"{authorities.Count} client CA certificate(s) from {files.ClientCaPath}"
            + (crls.Count == 0 ? "; no CRL" : $"; CRL {files.CrlPath} with {revoked} revoked serial(s)"
                + (nextUpdate is { } next ? $", next update {next.UtcDateTime:yyyy-MM-dd HH:mm}Z" : ""));
        var caNotAfter = authorities.Count == 0 ? DateTime.MaxValue : authorities.Min(a => a.NotAfter.ToUniversalTime());
        return new TlsMaterial(generation, server, context, clients, nextUpdate, caNotAfter, summary);
    }

    private static SslCertificateTrust? TrustFor(X509Certificate2Collection authorities)
    {
        try
        {
            return SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true);
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }
}
