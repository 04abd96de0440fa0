using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Xml;
using Pix.Server.Hosting;

namespace Pix.Server.Signing;

/// <summary>
/// Chooses how Pix signs the admi.002 notices it writes as the SPI. With signatures required they must be signed,
/// or they would fail the same checks every message passes: with the configured certificate, else a development
/// one. With signatures off they carry the empty <c>&lt;Sgntr/&gt;</c> of the BCB examples (no RSA cost per reject).
/// </summary>
internal static class NoticeSigner
{
    public static IMessageSigner? Create(PixOptions options)
    {
        if (!options.Xml.RequireSignature) return null;
        var path = options.Signing.CertificatePath;
        if (string.IsNullOrWhiteSpace(path)) return SpiMessageSigner.Development;
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.Signing.CertificatePassword);
        if (!certificate.HasPrivateKey) throw new ArgumentException($"Pix:Signing:CertificatePath '{path}' holds no private key.");
        return new SpiMessageSigner(new SpiSignature(certificate));
    }
}
