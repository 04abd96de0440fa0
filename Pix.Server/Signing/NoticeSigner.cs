using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Server.Hosting;
using Pix.Server.Tls;

namespace Pix.Server.Signing;

/// <summary>
/// Chooses how Pix signs the admi.002 notices it writes as the SPI. With signatures required they must be signed,
/// or they would fail the same checks every message passes: with <c>Pix:Signing:CertificatePath</c>, else with the
/// development SPI certificate kept under <c>{DataDir}/dev-certs/</c>, so the key is the same across restarts and a
/// participant can verify notices against the certificate the SPI's client uses. With signatures off they carry the
/// empty <c>&lt;Sgntr/&gt;</c> of the BCB examples (no RSA cost per reject).
/// </summary>
internal static partial class NoticeSigner
{
    public static IMessageSigner? Create(PixOptions options, string dataDir, ILogger log)
    {
        if (!options.Xml.RequireSignature) return null;
        var settings = options.Signing;
        string path, keyPath, password;
        if (string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            var set = CertificateSet.EnsureDevelopment(Path.Combine(dataDir, "dev-certs"), out _);
            (path, keyPath, password) = (set.ClientCertificate(Ispb.Spi), set.ClientKey(Ispb.Spi), "");
        }
        else
        {
            (path, keyPath, password) = (Path.GetFullPath(settings.CertificatePath), settings.KeyPath, settings.CertificatePassword);
        }
        var (certificate, _) = CertificateFiles.LoadWithKey(path, keyPath, password, "Pix:Signing:CertificatePath");
        if (certificate.GetRSAPrivateKey() is null)
            throw new ArgumentException($"Pix:Signing:CertificatePath '{path}' must hold an RSA key: notices are signed RSA-SHA256.");
        LogSigner(log, certificate.Subject, path);
        return new SpiMessageSigner(new SpiSignature(certificate));
    }

    [LoggerMessage(1, LogLevel.Information, "admi.002 notices are signed as the SPI with '{Subject}' from {Path}")]
    private static partial void LogSigner(ILogger log, string subject, string path);
}
