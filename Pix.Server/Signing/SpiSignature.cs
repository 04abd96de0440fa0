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

    /// <summary>The certificate whose key signs (its expiry is exported as a gauge).</summary>
    public X509Certificate2 Certificate => certificate;

    /// <summary>Reads a message to sign as XMLDSig sees it: through an XmlReader, which normalizes line ends and attribute
    /// values as XML 1.0 requires (XmlDocument.Load's own reader does not, so a CR LF would be signed as <c>&amp;#xD;</c>
    /// followed by LF in the Document reference, which no conformant verifier computes), whitespace kept, no DTD.</summary>
    public static XmlDocument Load(byte[] message)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(message, writable: false), settings);
        document.Load(reader);
        return document;
    }

    /// <summary>Signs <paramref name="document"/> in place (its Sgntr must be empty).</summary>
    public void Sign(XmlDocument document) => Sign(document, certificate.Issuer, certificate.SerialNumber);

    /// <summary>Signs with a KeyInfo whose X509IssuerSerial says <paramref name="issuerName"/> and the serial
    /// <paramref name="serialNumberHex"/> (hexadecimal, as <see cref="X509Certificate2.SerialNumber"/>): tests sign
    /// messages whose KeyInfo names another certificate, or this one's issuer spelled another way.</summary>
    internal void Sign(XmlDocument document, string issuerName, string serialNumberHex)
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
        // AddIssuerSerial takes the serial in hexadecimal (as X509Certificate2.SerialNumber has it) and writes the
        // decimal X509SerialNumber XMLDSig wants; handing it decimal digits names another serial.
        x509.AddIssuerSerial(issuerName, serialNumberHex);
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
