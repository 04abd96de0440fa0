using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;

namespace Pix.Server.Tls;

/// <summary>
/// A directory of certificates for a development or lab deployment, the layout both <c>{DataDir}/dev-certs/</c> and
/// <c>pix-bench certs --out DIR</c> use: <c>ca.pem</c>/<c>ca.key</c>, <c>server.pem</c>/<c>server.key</c>/<c>server.p12</c>
/// (localhost, 127.0.0.1, ::1) and, per participant, <c>{ispb}.pem</c>/<c>{ispb}.key</c>/<c>{ispb}.p12</c>: the SPI
/// (00038166) and PSPs 10000001, 10000002, ... Keys are unencrypted PKCS#8 PEM readable by the owner only; the
/// PKCS#12 files have an empty password.
/// </summary>
public sealed class CertificateSet(string directory)
{
    /// <summary>How many PSPs the development set has (the SPI comes on top).</summary>
    public const int DevelopmentPsps = 2;

    public string Directory { get; } = Path.GetFullPath(directory);
    public string CaCertificate => Path.Combine(Directory, "ca.pem");
    public string CaKey => Path.Combine(Directory, "ca.key");
    public string ServerCertificate => Path.Combine(Directory, "server.pem");
    public string ServerKey => Path.Combine(Directory, "server.key");
    public string ServerPkcs12 => Path.Combine(Directory, "server.p12");

    public string ClientCertificate(Ispb ispb) => Path.Combine(Directory, $"{ispb}.pem");
    public string ClientKey(Ispb ispb) => Path.Combine(Directory, $"{ispb}.key");
    public string ClientPkcs12(Ispb ispb) => Path.Combine(Directory, $"{ispb}.p12");

    /// <summary>The PSPs of a set with <paramref name="count"/> of them: 10000001, 10000002, ...</summary>
    public static Ispb[] Psps(int count) =>
        Enumerable.Range(1, count).Select(i => Ispb.Parse((10_000_000 + i).ToString("D8", System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    /// <summary>The participants whose client certificates are in the directory (every <c>{ispb}.pem</c>).</summary>
    public Ispb[] Participants() => System.IO.Directory.EnumerateFiles(Directory, "*.pem")
        .Select(Path.GetFileNameWithoutExtension)
        .Select(name => Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(name!), out var ispb) ? ispb : (Ispb?)null)
        .OfType<Ispb>().OrderBy(i => i.Packed).ToArray();

    /// <summary>Writes a fresh set (a new CA, the server, the SPI and <paramref name="psps"/> PSPs), replacing any there.</summary>
    public static CertificateSet Create(string directory, int psps)
    {
        var set = new CertificateSet(directory);
        System.IO.Directory.CreateDirectory(set.Directory);
        using var ca = CertificateAuthority.Create();
        WriteCertificate(set.CaCertificate, ca.Certificate);
        WriteKey(set.CaKey, ca.Certificate.GetRSAPrivateKey()!);
        using (var server = ca.IssueServer(["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback]))
        {
            WriteCertificate(set.ServerCertificate, server);
            WriteKey(set.ServerKey, server.GetECDsaPrivateKey()!);
            WritePkcs12(set.ServerPkcs12, server);
        }
        var participants = new[] { Ispb.Spi }.Concat(Psps(psps)).ToArray();
        // RSA key generation dominates (tens of ms a key): both cores help for a large lab set.
        Parallel.ForEach(participants, ispb =>
        {
            using var client = ca.IssueClient(ispb);
            set.WriteClient(ispb, client);
        });
        return set;
    }

    /// <summary>The development set Pix uses when nothing is configured: created on first use, and created again
    /// (with a new CA) when a file is missing or a certificate expires within a week.</summary>
    public static CertificateSet EnsureDevelopment(string directory, out bool created)
    {
        var set = new CertificateSet(directory);
        created = !set.IsUsable([Ispb.Spi, .. Psps(DevelopmentPsps)]);
        return created ? Create(directory, DevelopmentPsps) : set;
    }

    /// <summary>Writes a participant's certificate, key and PKCS#12 into the set.</summary>
    public void WriteClient(Ispb ispb, X509Certificate2 certificate)
    {
        WriteCertificate(ClientCertificate(ispb), certificate);
        WriteKey(ClientKey(ispb), certificate.GetRSAPrivateKey()!);
        WritePkcs12(ClientPkcs12(ispb), certificate);
    }

    private bool IsUsable(Ispb[] participants)
    {
        string[] files = [CaCertificate, CaKey, ServerCertificate, ServerKey, ServerPkcs12,
            .. participants.SelectMany(p => new[] { ClientCertificate(p), ClientKey(p), ClientPkcs12(p) })];
        if (!files.All(File.Exists)) return false;
        var soon = DateTime.Now.AddDays(7);
        foreach (var path in (string[])[CaCertificate, ServerCertificate, .. participants.Select(ClientCertificate)])
        {
            try
            {
                using var certificate = X509CertificateLoader.LoadCertificateFromFile(path);
                if (certificate.NotAfter < soon) return false;
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
        return true;
    }

    private static void WriteCertificate(string path, X509Certificate2 certificate) =>
        WriteAtomically(path, System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"), secret: false);

    private static void WriteKey(string path, AsymmetricAlgorithm key) =>
        WriteAtomically(path, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"), secret: true);

    private static void WritePkcs12(string path, X509Certificate2 certificate) =>
        WriteAtomically(path, certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, ""), secret: true);

    private static void WriteAtomically(string path, byte[] bytes, bool secret)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
