using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pix.Tests.Signatures;

/// <summary>
/// The certificates the signature tests sign and verify with. <see cref="Signer"/> signs; the others are what a
/// verifier may wrongly be handed: the same key under another serial (<see cref="SameKeyOtherSerial"/>), another key
/// under the signer's issuer and serial (<see cref="OtherKeySameName"/>), and another participant altogether
/// (<see cref="Stranger"/>). <see cref="CommaInName"/> has a comma in its issuer's O, for the quoting of names.
/// Keys are made once per test run (RSA 2048); nothing about a verdict depends on their values.
/// </summary>
internal static class CorpusCertificates
{
    public const string SignerName = "CN=Pix corpus signer, OU=Testes, O=Pix Pagamentos, C=BR";
    private const string CommaName = "CN=Pix corpus signer, O=\"Pix, Pagamentos Ltda\", C=BR";

    private static readonly Lazy<Set> Certificates = new(Create);

    public static X509Certificate2 Signer => Certificates.Value.Signer;
    public static X509Certificate2 SameKeyOtherSerial => Certificates.Value.SameKeyOtherSerial;
    public static X509Certificate2 OtherKeySameName => Certificates.Value.OtherKeySameName;
    public static X509Certificate2 Stranger => Certificates.Value.Stranger;
    public static X509Certificate2 CommaInName => Certificates.Value.CommaInName;

    /// <summary>A certificate for <paramref name="key"/> issued by <paramref name="name"/> to itself, with this serial.</summary>
    public static X509Certificate2 Make(RSA key, string name, byte[] serial)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(new X500DistinguishedName(name), X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            now.AddMinutes(-5), now.AddDays(1), serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private static Set Create()
    {
        var key = RSA.Create(2048);
        var other = RSA.Create(2048);
        byte[] serial = [0x01, 0x7A, 0x3C, 0x99, 0x10, 0x42, 0xEE, 0x05];
        return new Set(
            Make(key, SignerName, serial),
            Make(key, SignerName, [0x01, 0x7A, 0x3C, 0x99, 0x10, 0x42, 0xEE, 0x06]),
            Make(other, SignerName, serial),
            Make(other, "CN=Another participant, O=Outro Banco, C=BR", [0x55, 0x01]),
            // High bit set: the DER serial needs a leading zero byte to stay positive.
            Make(key, CommaName, [0x00, 0x9F, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]));
    }

    private sealed record Set(X509Certificate2 Signer, X509Certificate2 SameKeyOtherSerial, X509Certificate2 OtherKeySameName,
        X509Certificate2 Stranger, X509Certificate2 CommaInName);
}
