using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Pix.Bench.Samples;
using Pix.Server.Signing;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

public class SampleMessagesTests
{
    private static readonly Ispb Psp = Ispb.Parse("12345678");

    public static TheoryData<string> Kinds() => new() { "pacs.008", "pacs.008x3", "pacs.002", "pacs.002 ACSC", "pacs.002 RJCT", "pacs.004", "pacs.004 from SPI" };

    private static string Make(string kind) => kind switch
    {
        "pacs.008" => SampleMessages.Pacs008(Psp, Ispb.Spi),
        "pacs.008x3" => SampleMessages.Pacs008(Ispb.Spi, Psp, amount: 12.34m, transactions: 3),
        "pacs.002" => SampleMessages.Pacs002(Psp, Ispb.Spi),
        "pacs.002 ACSC" => SampleMessages.Pacs002(Ispb.Spi, Psp, status: "ACSC"),
        "pacs.002 RJCT" => SampleMessages.Pacs002(Ispb.Spi, Psp, status: "RJCT", reason: "AM04"),
        "pacs.004" => SampleMessages.Pacs004(Psp, Ispb.Spi),
        _ => SampleMessages.Pacs004(Ispb.Spi, Psp),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SamplesAreValidAgainstTheXsdAndPassMessageCheckWithTheSignatureRequired(string kind)
    {
        var xml = Encoding.UTF8.GetBytes(Make(kind));
        Assert.True(XsdOracle.Accepts(xml, out var why), why);
        var result = MessageCheck.Check(xml, CheckOptions.Default, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.True(header.HasSignature);
    }

    [Fact]
    public void UnsignedSamplesPassWithTheSignatureOff()
    {
        var xml = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false));
        Assert.True(MessageCheck.Check(xml, CheckOptions.Unsigned, out _).Ok);
        Assert.Equal(CheckRule.SignatureMissing, MessageCheck.Check(xml, CheckOptions.Default, out _).RuleId);
    }

    [Fact]
    public void EveryCallHasFreshIds()
    {
        var a = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false));
        var b = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false));
        MessageCheck.Check(a, CheckOptions.Unsigned, out var ha);
        MessageCheck.Check(b, CheckOptions.Unsigned, out var hb);
        Assert.False(a.AsSpan(ha.BizMsgIdr).SequenceEqual(b.AsSpan(hb.BizMsgIdr)));
        Assert.StartsWith("M12345678", Encoding.ASCII.GetString(a[ha.BizMsgIdr]));
        Assert.Equal(Psp, ha.From);
        Assert.Equal(Ispb.Spi, ha.To);
    }

    [Fact]
    public void SignedAdmi002PassesTheChecksWithTheSignatureRequired()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Admi002Writer.Write(output, new Admi002Reject
        {
            To = Psp, RelatedReference = "M12345678abc"u8, Reason = "schema"u8, RejectedAt = DateTime.UtcNow,
        }, SpiMessageSigner.Development);
        var admi = output.WrittenSpan.ToArray();
        var result = MessageCheck.Check(admi, CheckOptions.Default, out var header);
        Assert.True(result.Ok, result + Encoding.UTF8.GetString(admi));
        Assert.True(header.HasSignature);
        AssertSignatureVerifies(admi);
    }

    [Fact]
    public void TheSignatureVerifiesReferenceByReference() => AssertSignatureVerifies(Encoding.UTF8.GetBytes(Make("pacs.008")));

    /// <summary>Recomputes the three digests and checks the RSA-SHA256 SignatureValue with the certificate's public key.
    /// (SignedXml.CheckSignature cannot: it reads a reference without URI as the whole document.)</summary>
    private static void AssertSignatureVerifies(byte[] xml)
    {
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.Load(new MemoryStream(xml));
        var ds = new XmlNamespaceManager(doc.NameTable);
        ds.AddNamespace("ds", SignedXml.XmlDsigNamespaceUrl);
        var signature = (XmlElement)doc.SelectSingleNode("//ds:Signature", ds)!;
        var references = signature.SelectNodes("ds:SignedInfo/ds:Reference", ds)!.Cast<XmlElement>().ToArray();
        Assert.Equal(3, references.Length);
        Assert.Equal(SignedXml.XmlDsigExcC14NTransformUrl, signature.SelectSingleNode("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", ds)!.Value);
        Assert.Equal(SignedXml.XmlDsigRSASHA256Url, signature.SelectSingleNode("ds:SignedInfo/ds:SignatureMethod/@Algorithm", ds)!.Value);

        string Digest(XmlElement r) => r.SelectSingleNode("ds:DigestValue", ds)!.InnerText;
        var keyInfo = (XmlElement)signature.SelectSingleNode("ds:KeyInfo", ds)!;
        Assert.Equal("#" + keyInfo.GetAttribute("Id"), references[0].GetAttribute("URI"));
        Assert.Equal(Digest(references[0]), Convert.ToBase64String(SHA256.HashData(Canonical(keyInfo))));

        Assert.Equal("", references[1].GetAttribute("URI"));
        var unsigned = (XmlDocument)doc.Clone();
        var copy = unsigned.SelectSingleNode("//ds:Signature", ds)!;
        copy.ParentNode!.RemoveChild(copy);
        Assert.Equal(Digest(references[1]), Convert.ToBase64String(SHA256.HashData(Canonical(unsigned))));

        Assert.False(references[2].HasAttribute("URI"));
        var body = (XmlElement)doc.DocumentElement!.ChildNodes.Cast<XmlNode>().Single(n => n.LocalName == "Document");
        Assert.Equal(Digest(references[2]), Convert.ToBase64String(SHA256.HashData(Canonical(body))));

        var signedInfo = Canonical((XmlElement)signature.SelectSingleNode("ds:SignedInfo", ds)!);
        var value = Convert.FromBase64String(signature.SelectSingleNode("ds:SignatureValue", ds)!.InnerText);
        using var rsa = DevelopmentCertificate.Shared.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(signedInfo, value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    private static byte[] Canonical(XmlElement element)
    {
        var standalone = new XmlDocument { PreserveWhitespace = true };
        standalone.AppendChild(standalone.ImportNode(element, deep: true));
        return Canonical(standalone);
    }

    private static byte[] Canonical(XmlDocument doc)
    {
        var c14n = new XmlDsigExcC14NTransform();
        c14n.LoadInput(doc);
        using var stream = (Stream)c14n.GetOutput(typeof(Stream));
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
