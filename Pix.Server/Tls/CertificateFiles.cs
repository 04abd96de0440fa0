using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pix.Server.Tls;

/// <summary>Reads the certificate files an operator configures: PKCS#12, or PEM (certificate chain, key alongside or apart).</summary>
public static class CertificateFiles
{
    /// <summary>A certificate with its private key, and the chain certificates after it in the file.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadWithKey(string path, string keyPath, string password, string setting)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{setting} '{path}' does not exist.");
        if (!string.IsNullOrWhiteSpace(keyPath) && !File.Exists(keyPath)) throw new ArgumentException($"The key file '{keyPath}' for {setting} does not exist.");
        try
        {
            X509Certificate2 certificate;
            X509Certificate2Collection chain = [];
            if (IsPem(path))
            {
                var key = string.IsNullOrWhiteSpace(keyPath) ? path : keyPath;
                certificate = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, key)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, key);
                var all = new X509Certificate2Collection();
                all.ImportFromPemFile(path);
                foreach (var extra in all)
                {
                    if (extra.Thumbprint != certificate.Thumbprint) chain.Add(extra);
                }
            }
            else
            {
                var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
                certificate = all.FirstOrDefault(c => c.HasPrivateKey)
                    ?? throw new ArgumentException($"{setting} '{path}' holds no certificate with a private key.");
                foreach (var extra in all)
                {
                    if (!ReferenceEquals(extra, certificate)) chain.Add(extra);
                }
            }
            if (!certificate.HasPrivateKey) throw new ArgumentException($"{setting} '{path}' holds no private key (give its key file).");
            // Windows' TLS stack cannot use an ephemeral (PEM-imported) key; a PKCS#12 round trip persists it.
            if (OperatingSystem.IsWindows()) certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            return (certificate, chain);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{setting} '{path}' could not be read: {e.Message}", e);
        }
    }

    /// <summary>Every certificate of a PEM bundle (or one DER certificate).</summary>
    public static X509Certificate2Collection LoadBundle(string path, string setting)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{setting} '{path}' does not exist.");
        try
        {
            var bundle = new X509Certificate2Collection();
            if (IsPem(path)) bundle.ImportFromPemFile(path);
            else bundle.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            if (bundle.Count == 0) throw new ArgumentException($"{setting} '{path}' holds no certificate.");
            return bundle;
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{setting} '{path}' could not be read: {e.Message}", e);
        }
    }

    // PEM may carry text before its first block (openssl writes "Bag Attributes"); DER and PKCS#12 never hold this marker.
    private static bool IsPem(string path) => File.ReadAllBytes(path).AsSpan().IndexOf("-----BEGIN"u8) >= 0;
}
