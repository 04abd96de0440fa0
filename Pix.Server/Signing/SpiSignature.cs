using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace Pix.Server.Signing;

/// <summary>
/// Signs an SPI message the way pix-xml.md §1 describes: XMLDSig with exclusive C14N, RSA-SHA256 and SHA-256 digests,
/// three references (KeyInfo by Id; <c>URI=""</c> with the enveloped-signature transform; one without URI for the
/// Document), KeyInfo carrying X509IssuerSerial, the Signature placed in <c>AppHdr/Sgntr</c>.
/// .NET's SignedXml resolves neither an Id inside the signature being built nor a reference without URI, so those two
/// digests are computed here over the exclusive-C14N bytes of their element and handed to SignedXml as streams.
/// </summary>
public sealed class SpiSignature(X509Certificate2 certificate)
{
    public const string DsNamespace = SignedXml.XmlDsigNamespaceUrl;

    public static SpiSignature Development { get; } = new(DevelopmentCertificate.Shared);

    /// <summary>Signs <paramref name="document"/> in place (its Sgntr must be empty).</summary>
    public void Sign(XmlDocument document)
    {
        var ns = document.DocumentElement!.NamespaceURI;
        var manager = new XmlNamespaceManager(document.NameTable);
        manager.AddNamespace("spi", ns);
        var sgntr = (XmlElement)document.SelectSingleNode("/spi:Envelope/spi:AppHdr/spi:Sgntr", manager)!;
        var body = (XmlElement)document.SelectSingleNode("/spi:Envelope/spi:Document", manager)!;

        using var key = certificate.GetRSAPrivateKey()!;
        var signed = new SignedXml(document) { SigningKey = key };
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;

        var keyInfo = new KeyInfo { Id = "_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant() };
        var x509 = new KeyInfoX509Data();
        // KeyInfoX509Data parses this argument as hex (and writes the decimal X509SerialNumber XMLDSig asks for).
        x509.AddIssuerSerial(certificate.Issuer, certificate.SerialNumber);
        keyInfo.AddClause(x509);
        signed.KeyInfo = keyInfo;

        signed.AddReference(ByDigestOf(keyInfo.GetXml(), "#" + keyInfo.Id));

        var whole = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        whole.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        whole.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(whole);

        signed.AddReference(ByDigestOf(body, uri: null));

        signed.ComputeSignature();
        sgntr.RemoveAll();
        sgntr.AppendChild(document.ImportNode(signed.GetXml(), deep: true));
    }

    /// <summary>A reference whose digest is taken over the exclusive C14N of <paramref name="element"/>.</summary>
    private static Reference ByDigestOf(XmlElement element, string? uri)
    {
        var standalone = new XmlDocument { PreserveWhitespace = true };
        standalone.AppendChild(standalone.ImportNode(element, deep: true));
        var c14n = new XmlDsigExcC14NTransform();
        c14n.LoadInput(standalone);
        var canonical = (Stream)c14n.GetOutput(typeof(Stream));
        var reference = new Reference(canonical) { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigExcC14NTransform());
        reference.Uri = uri;
        return reference;
    }
}
