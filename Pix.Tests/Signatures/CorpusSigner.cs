using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Pix.Server.Signing;

namespace Pix.Tests.Signatures;

/// <summary>
/// Signs a message written as text, keeping the text: the message is read into a DOM, signed there with Pix's
/// signer (SpiSignature, over SignedXml), and the resulting ds:Signature is spliced into the original text's empty
/// Sgntr. So every way of writing the rest of the message (references, CDATA, quotes, whitespace, prefixes) reaches
/// the verifiers as written, and the signature covers what XMLDSig signs: the infoset.
/// </summary>
internal static class CorpusSigner
{
    public static string Sign(string unsigned, X509Certificate2 certificate) =>
        Sign(unsigned, certificate, certificate.Issuer, certificate.SerialNumber);

    /// <summary>Signs with a KeyInfo that says <paramref name="issuerName"/> and <paramref name="serialNumberHex"/>.</summary>
    public static string Sign(string unsigned, X509Certificate2 certificate, string issuerName, string serialNumberHex)
    {
        var document = SpiSignature.Load(Encoding.UTF8.GetBytes(unsigned.TrimStart('\uFEFF')));
        new SpiSignature(certificate).Sign(document, issuerName, serialNumberHex);
        var ds = new XmlNamespaceManager(document.NameTable);
        ds.AddNamespace("ds", SignedXml.XmlDsigNamespaceUrl);
        var signature = document.SelectSingleNode("//ds:Signature", ds)!.OuterXml;
        var empty = EmptySgntr(unsigned, out var length);
        var open = unsigned.Substring(empty, length - 2).TrimEnd() + ">";
        var close = "</" + open[1..].Split(' ', '\t', '\r', '\n', '>')[0] + ">";
        return unsigned[..empty] + open + signature + close + unsigned[(empty + length)..];
    }

    /// <summary>Where the empty <c>&lt;Sgntr/&gt;</c> (or <c>&lt;spi:Sgntr /&gt;</c>) is.</summary>
    private static int EmptySgntr(string xml, out int length)
    {
        var at = xml.IndexOf("Sgntr", StringComparison.Ordinal);
        var start = xml.LastIndexOf('<', at);
        var end = xml.IndexOf("/>", at, StringComparison.Ordinal) + 2;
        length = end - start;
        return start;
    }
}
