using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pix.Server.Signing;

/// <summary>A self-signed RSA certificate made at runtime, so samples are signed for real without shipping a key.
/// It stands in for a participant's ICP-Brasil certificate; nothing trusts it.</summary>
public static class DevelopmentCertificate
{
    private static readonly Lazy<X509Certificate2> Instance = new(Create);

    public static X509Certificate2 Shared => Instance.Value;

    public static X509Certificate2 Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Pix development signer, O=Pix, C=BR", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
    }
}
