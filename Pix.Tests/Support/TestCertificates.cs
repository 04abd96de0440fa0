using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Tls;

namespace Pix.Tests.Support;

/// <summary>
/// Certificates made in the test with the product's own code (<see cref="CertificateSet"/>, the layout
/// <c>pix-bench certs</c> writes): a CA, the server for localhost, the SPI and PSPs 10000001.. in a temporary folder,
/// plus what tests need beyond it (another CA, a CRL, certificates with odd names).
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string Spi = "00038166";
    public const string Psp1 = "10000001";
    public const string Psp2 = "10000002";
    public const string Psp3 = "10000003";
    public const string Psp4 = "10000004";

    private readonly TempDirectory _folder = new("pix-certs");

    public TestCertificates(int psps = 4)
    {
        Set = CertificateSet.Create(Path.Combine(_folder.Path, "set"), psps);
        Authority = CertificateAuthority.Load(Set.CaCertificate, Set.CaKey);
        Ca = X509CertificateLoader.LoadCertificateFromFile(Set.CaCertificate);
    }

    public CertificateSet Set { get; }
    /// <summary>The set's CA, with its key: issues extra certificates and CRLs.</summary>
    public CertificateAuthority Authority { get; }
    /// <summary>The CA certificate clients trust the server by.</summary>
    public X509Certificate2 Ca { get; }
    public string Folder => _folder.Path;

    /// <summary>A participant's client certificate with its key, as the set wrote it.</summary>
    public X509Certificate2 Client(string ispb) =>
        X509Certificate2.CreateFromPemFile(Set.ClientCertificate(Ispb.Parse(ispb)), Set.ClientKey(Ispb.Parse(ispb)));

    /// <summary>A file in the test's folder (for CRLs, registries, replaced CA bundles).</summary>
    public string File(string name) => Path.Combine(_folder.Path, name);

    /// <summary>Writes a PEM CRL of the set's CA revoking <paramref name="revoked"/> (an empty one when none).</summary>
    public void WriteCrl(string path, long number, params X509Certificate2[] revoked)
    {
        var der = Authority.RevocationList(revoked, number);
        WriteReplacing(path, PemEncodingText("X509 CRL", der));
    }

    /// <summary>Replaces a file the server watches in one step (a rename), as an operator's deploy would.</summary>
    public static void WriteReplacing(string path, string text)
    {
        var temporary = path + ".new";
        System.IO.File.WriteAllText(temporary, text);
        System.IO.File.Move(temporary, path, overwrite: true);
    }

    private static string PemEncodingText(string label, byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write(label, der)) + "\n";

    public void Dispose()
    {
        Authority.Dispose();
        _folder.Dispose();
    }
}
