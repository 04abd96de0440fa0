using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Pix.Bench.Samples;
using Pix.Bench.Signatures;
using Pix.Protocol.Ids;
using Pix.Protocol.Signatures;
using Pix.Protocol.Xml;
using Pix.Server.Signing;

namespace Pix.Tests.Signatures;

/// <summary>What the verifier says, and where, for each way a signature can be wrong; what Pix signs verifies; no input
/// makes it throw; one prepared certificate serves many threads.</summary>
public sealed class SignatureVerifierTests
{
    private static readonly Ispb Psp = Ispb.Parse("12345678");
    private static readonly SignerCertificate Development = SignerCertificate.From(DevelopmentCertificate.Shared);
    private static readonly SignerCertificate Corpus = SignerCertificate.From(CorpusCertificates.Signer);
    private const string Reference = "/Envelope/AppHdr/Sgntr/Signature/SignedInfo/Reference";

    public static TheoryData<string> Samples() => new() { "pacs.008", "pacs.008x3", "pacs.002", "pacs.004", "admi.002" };

    [Theory]
    [MemberData(nameof(Samples))]
    public void WhatPixSignsVerifiesWithItsCertificateAndNoOther(string kind)
    {
        var xml = Encoding.UTF8.GetBytes(kind switch
        {
            "pacs.008" => SampleMessages.Pacs008(Psp, Ispb.Spi),
            "pacs.008x3" => SampleMessages.Pacs008(Ispb.Spi, Psp, transactions: 3),
            "pacs.002" => SampleMessages.Pacs002(Ispb.Spi, Psp, status: "ACSC"),
            "pacs.004" => SampleMessages.Pacs004(Psp, Ispb.Spi),
            _ => SignedAdmi002(),
        });
        Assert.True(MessageCheck.Check(xml, out _).Ok);
        var result = SignatureVerifier.Verify(xml, Development);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(CheckRule.SignatureCertificate, SignatureVerifier.Verify(xml, Corpus).RuleId);
    }

    [Fact]
    public void AnEmptySgntrIsAMissingSignature()
    {
        var result = SignatureVerifier.Verify(Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false)), Development);
        Assert.Equal(CheckFailure.Signature, result.Failure);
        Assert.Equal(CheckRule.SignatureMissing, result.RuleId);
        Assert.Equal("/Envelope/AppHdr/Sgntr", Location(result));
    }

    public static TheoryData<string, string, string, CheckRule, string> Breakages() => new()
    {
        // name, text to find, replacement, rule, location
        { "Document byte", "<Nm>Fulano", "<Nm>Fulana", CheckRule.SignatureDocumentDigest, Reference + "[3]/DigestValue" },
        { "AppHdr byte", "<CreDt>2", "<CreDt>1", CheckRule.SignatureEnvelopeDigest, Reference + "[2]/DigestValue" },
        { "KeyInfo whitespace", "<X509Data>", "<X509Data> ", CheckRule.SignatureKeyInfoDigest, Reference + "[1]/DigestValue" },
        { "SignedInfo changed", "<SignedInfo>", "<SignedInfo> ", CheckRule.SignatureValue, "/Envelope/AppHdr/Sgntr/Signature/SignatureValue" },
        { "inclusive C14N", "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"", CheckRule.SignatureAlgorithm,
            "/Envelope/AppHdr/Sgntr/Signature/SignedInfo/CanonicalizationMethod" },
        { "RSA-SHA1", "xmldsig-more#rsa-sha256", "xmldsig#rsa-sha1", CheckRule.SignatureAlgorithm, "/Envelope/AppHdr/Sgntr/Signature/SignedInfo/SignatureMethod" },
        { "SHA-1 digest", "xmlenc#sha256", "xmldsig#sha1", CheckRule.SignatureAlgorithm, Reference + "[1]/DigestMethod" },
        { "InclusiveNamespaces", "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\" />",
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><InclusiveNamespaces xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"a\"/></Transform>",
            CheckRule.SignatureTransform, Reference + "[1]/Transforms/Transform[1]/InclusiveNamespaces" },
        { "no enveloped-signature", "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\" />", "", CheckRule.SignatureTransform,
            Reference + "[2]/Transforms" },
        { "an Object", "</KeyInfo>", "</KeyInfo><Object/>", CheckRule.SignatureMalformed, "/Envelope/AppHdr/Sgntr/Signature/Object" },
        { "reference elsewhere", "URI=\"#_", "URI=\"#x_", CheckRule.SignatureMalformed, Reference + "[1]" },
        { "bad base64", "<SignatureValue>", "<SignatureValue>!", CheckRule.SignatureMalformed, "/Envelope/AppHdr/Sgntr/Signature/SignatureValue" },
        { "serial", "<X509SerialNumber>", "<X509SerialNumber>1", CheckRule.SignatureCertificate, "/Envelope/AppHdr/Sgntr/Signature/KeyInfo/X509Data/X509IssuerSerial" },
        { "not ds", "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">", "<Signature xmlns=\"urn:other\">", CheckRule.SignatureMalformed,
            "/Envelope/AppHdr/Sgntr/Signature" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void EachBreakageIsNamedAndLocated(string name, string find, string replace, CheckRule rule, string location)
    {
        var signed = SampleMessages.Pacs008(Psp, Ispb.Spi);
        var at = signed.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{name}: '{find}' not in the sample");
        var broken = signed[..at] + replace + signed[(at + find.Length)..];
        var result = SignatureVerifier.Verify(Encoding.UTF8.GetBytes(broken), Development);
        Assert.Equal(CheckFailure.Signature, result.Failure);
        Assert.Equal(rule, result.RuleId);
        Assert.Equal(location, Location(result));
        Assert.False(result.Rule.IsEmpty);
    }

    [Fact]
    public void AnotherKeyUnderTheSameNameIsABadSignatureValue()
    {
        var signed = Encoding.UTF8.GetBytes(CorpusSigner.Sign(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false), CorpusCertificates.Signer));
        Assert.True(SignatureVerifier.Verify(signed, Corpus).Ok);
        using var otherKey = SignerCertificate.From(CorpusCertificates.OtherKeySameName);
        Assert.Equal(CheckRule.SignatureValue, SignatureVerifier.Verify(signed, otherKey).RuleId);
        using var otherSerial = SignerCertificate.From(CorpusCertificates.SameKeyOtherSerial);
        Assert.Equal(CheckRule.SignatureCertificate, SignatureVerifier.Verify(signed, otherSerial).RuleId);
    }

    /// <summary>SignedInfo re-signed with its references in another order still verifies (SignedXml cannot say: it
    /// stops at the reference without URI, wherever it is).</summary>
    [Fact]
    public void TheReferencesMayComeInAnyOrder()
    {
        var signed = CorpusSigner.Sign(SampleMessages.Pacs008(Psp, Ispb.Spi, signed: false), CorpusCertificates.Signer);
        var document = SpiSignature.Load(Encoding.UTF8.GetBytes(signed));
        var ds = new XmlNamespaceManager(document.NameTable);
        ds.AddNamespace("ds", SignedXml.XmlDsigNamespaceUrl);
        var signedInfo = (XmlElement)document.SelectSingleNode("//ds:SignedInfo", ds)!;
        var references = signedInfo.SelectNodes("ds:Reference", ds)!.Cast<XmlNode>().ToArray();
        foreach (var reference in references) signedInfo.RemoveChild(reference);
        foreach (var reference in references.Reverse()) signedInfo.AppendChild(reference);
        var c14n = new XmlDsigExcC14NTransform();
        var standalone = new XmlDocument { PreserveWhitespace = true };
        standalone.AppendChild(standalone.ImportNode(signedInfo, deep: true));
        c14n.LoadInput(standalone);
        using var key = CorpusCertificates.Signer.GetRSAPrivateKey()!;
        var value = key.SignData((Stream)c14n.GetOutput(typeof(Stream)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        document.SelectSingleNode("//ds:SignatureValue", ds)!.InnerText = Convert.ToBase64String(value);
        var reordered = Encoding.UTF8.GetBytes(document.OuterXml);
        Assert.True(MessageCheck.Check(reordered, out _).Ok);
        var result = SignatureVerifier.Verify(reordered, Corpus);
        Assert.True(result.Ok, result.ToString());
        var tampered = Encoding.UTF8.GetBytes(document.OuterXml.Replace("<Nm>Fulano", "<Nm>Fulana", StringComparison.Ordinal));
        Assert.Equal($"{Reference}[1]/DigestValue", Location(SignatureVerifier.Verify(tampered, Corpus)));
    }

    [Fact]
    public void AFailureBecomesAnAdmi002WithTheSignatureReasonItsLocationAndRule()
    {
        var xml = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi).Replace("<Nm>Fulano", "<Nm>Fulana", StringComparison.Ordinal));
        Assert.True(MessageCheck.Check(xml, out var header).Ok);
        var result = SignatureVerifier.Verify(xml, Development);
        var output = new ArrayBufferWriter<byte>();
        Admi002Writer.WriteFor(output, xml, header, result, Psp, "resource"u8, DateTime.UtcNow);
        var notice = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("<RjctgPtyRsn>assinatura</RjctgPtyRsn>", notice);
        Assert.Contains($"<ErrLctn>{Reference}[3]/DigestValue</ErrLctn>", notice);
        Assert.Contains("<RsnDesc>digest mismatch in the Document reference: Document changed after signing</RsnDesc>", notice);
        Assert.True(MessageCheck.Check(output.WrittenSpan, CheckOptions.Unsigned, out _).Ok);
    }

    /// <summary>Exclusive C14N re-declares a namespace on every element that uses it: a message that makes its canonical
    /// form far longer than itself is refused instead of hashed (SignedXml would hash it all).</summary>
    [Fact]
    public void ACanonicalFormFarLongerThanTheMessageIsRefusedNotHashed()
    {
        var uri = "urn:" + new string('n', 2000);
        var body = string.Concat(Enumerable.Repeat("<p:x/>", 2000));
        var admi = Encoding.UTF8.GetString(UnsignedAdmi002());
        admi = admi.Replace("<Envelope xmlns=\"https://www.bcb.gov.br/pi/admi.002/1.5\">",
            $"<Envelope xmlns=\"https://www.bcb.gov.br/pi/admi.002/1.5\" xmlns:p=\"{uri}\">", StringComparison.Ordinal)
            .Replace("</Rsn>", "</Rsn>" + body, StringComparison.Ordinal);
        var signed = Encoding.UTF8.GetBytes(CorpusSigner.Sign(admi, CorpusCertificates.Signer));
        Assert.True(MessageCheck.Check(signed, out _).Ok);
        var result = SignatureVerifier.Verify(signed, Corpus);
        Assert.Equal(CheckRule.SignatureMalformed, result.RuleId);
        Assert.StartsWith(Reference, Location(result));
    }

    /// <summary>Random edits of a signed message: the verifier never throws, and what it still accepts (of what
    /// MessageCheck accepts, its precondition) SignedXml accepts too.</summary>
    [Fact]
    public void NoInputMakesItThrowAndWhatSurvivesAnEditSignedXmlAcceptsToo()
    {
        var random = new Random(41);
        var signed = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi));
        var verdicts = new Dictionary<CheckRule, int>();
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = Mangle(signed, random);
            var result = SignatureVerifier.Verify(bytes, Development);
            verdicts[result.RuleId] = verdicts.GetValueOrDefault(result.RuleId) + 1;
            if (result.Ok && MessageCheck.Check(bytes, out _).Ok)
            {
                Assert.True(SignedXmlVerifier.Verify(bytes, DevelopmentCertificate.Shared), "accepted, SignedXml does not:\n" + Encoding.UTF8.GetString(bytes));
            }
        }
        Assert.True(verdicts.Count > 5, string.Join(", ", verdicts));
        foreach (var garbage in new[] { ""u8.ToArray(), "<"u8.ToArray(), "\uFEFF"u8.ToArray(), [0xFF, 0xFE], "<Envelope/>"u8.ToArray(), "<a><b></a>"u8.ToArray() })
        {
            Assert.False(SignatureVerifier.Verify(garbage, Development).Ok);
        }
    }

    [Fact]
    public void OnePreparedCertificateVerifiesFromManyThreadsAtOnce()
    {
        var good = Encoding.UTF8.GetBytes(SampleMessages.Pacs008(Psp, Ispb.Spi, transactions: 2));
        var bad = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace("<Nm>Fulano", "<Nm>Fulana", StringComparison.Ordinal));
        var wrong = 0;
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var valid = i % 3 != 0;
            if (SignatureVerifier.Verify(valid ? good : bad, Development).Ok != valid) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    private static string Location(CheckResult result) => Encoding.UTF8.GetString(result.Location);

    private static byte[] UnsignedAdmi002()
    {
        var output = new ArrayBufferWriter<byte>();
        Admi002Writer.Write(output, new Admi002Reject { To = Psp, RelatedReference = "M12345678abc"u8, Reason = "schema"u8, RejectedAt = DateTime.UtcNow });
        return output.WrittenSpan.ToArray();
    }

    private static string SignedAdmi002()
    {
        var output = new ArrayBufferWriter<byte>();
        Admi002Writer.Write(output, new Admi002Reject { To = Psp, RelatedReference = "M12345678abc"u8, Reason = "schema"u8, RejectedAt = DateTime.UtcNow },
            SpiMessageSigner.Development);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>A byte changed, removed, inserted or repeated; a cut; or a slice moved.</summary>
    private static byte[] Mangle(byte[] xml, Random random)
    {
        var bytes = new List<byte>(xml);
        var at = random.Next(bytes.Count);
        switch (random.Next(6))
        {
            case 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 1:
                bytes.RemoveAt(at);
                break;
            case 2:
                bytes.Insert(at, "<>&;\"'/ =x#\r\n"u8[random.Next(13)]);
                break;
            case 3:
                return xml[..at];
            case 4:
                bytes.InsertRange(at, xml.Skip(random.Next(xml.Length)).Take(random.Next(1, 200)));
                break;
            default:
                bytes[at] = (byte)"<>&;\"'/ =x"u8[random.Next(10)];
                break;
        }
        return bytes.ToArray();
    }
}
