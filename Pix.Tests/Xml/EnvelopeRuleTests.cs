using System.Text;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

public class EnvelopeRuleTests
{
    private static CheckResult Check(string xml, out AppHeader header, CheckOptions? options = null) =>
        MessageCheck.Check(TestMessages.Bytes(xml), options ?? CheckOptions.Unsigned, out header);

    private static void AssertFails(string xml, CheckFailure failure, CheckRule rule, string? location = null, CheckOptions? options = null)
    {
        var result = Check(xml, out _, options);
        Assert.False(result.Ok, "expected a failure");
        Assert.Equal(failure, result.Failure);
        Assert.Equal(rule, result.RuleId);
        if (location is not null) Assert.Equal(location, Encoding.UTF8.GetString(result.Location));
        Assert.False(result.Rule.IsEmpty);
    }

    private static string Replace(string find, string with) => TestMessages.Pacs008.Replace(find, with, StringComparison.Ordinal);

    [Fact]
    public void DoctypeIsRejected() =>
        AssertFails(Replace("<Envelope", "<!DOCTYPE Envelope SYSTEM \"file:///etc/passwd\"><Envelope"), CheckFailure.Dtd, CheckRule.Doctype);

    [Fact]
    public void EntityDeclarationsAreRejectedBeforeAnyExpansion() =>
        AssertFails(Replace("<Envelope", "<!DOCTYPE Envelope [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><Envelope"),
            CheckFailure.Dtd, CheckRule.Doctype);

    [Fact]
    public void UndeclaredEntityReferenceIsRejected() =>
        AssertFails(Replace("<Nm>Fulano", "<Nm>&xxe;Fulano"), CheckFailure.Syntax, CheckRule.EntityReference);

    [Fact]
    public void PredefinedEntitiesAndCharacterReferencesAreAccepted() =>
        Assert.True(Check(Replace("<Nm>Fulano", "<Nm>&amp;&lt;&gt;&quot;&apos;&#233;&#xE9;Fulano"), out _).Ok);

    [Fact]
    public void UnknownNamespaceHostIsAnEnvelopeFailure() =>
        AssertFails(Replace("https://www.bcb.gov.br/pi/pacs.008/1.13", "https://example.com/pi/pacs.008/1.13"),
            CheckFailure.Envelope, CheckRule.EnvelopeNamespace, "/Envelope");

    [Fact]
    public void UnknownMessageTypeIsRejected() =>
        AssertFails(Replace("https://www.bcb.gov.br/pi/pacs.008/1.13", "https://www.bcb.gov.br/pi/pacs.099/1.13"),
            CheckFailure.UnknownType, CheckRule.UnknownMessageType);

    [Fact]
    public void OtherVersionOfAFullyCheckedTypeIsRejected() =>
        AssertFails(Replace("https://www.bcb.gov.br/pi/pacs.008/1.13", "https://www.bcb.gov.br/pi/pacs.008/1.16"),
            CheckFailure.UnknownType, CheckRule.UnsupportedVersion);

    [Fact]
    public void ChildInAnotherNamespaceIsRejected() =>
        AssertFails(Replace("<AppHdr>", "<AppHdr xmlns=\"urn:other\">"), CheckFailure.Envelope, CheckRule.ElementNamespace);

    [Fact]
    public void MsgDefIdrMustMatchTheNamespace() =>
        AssertFails(Replace("<MsgDefIdr>pacs.008.spi.1.13<", "<MsgDefIdr>pacs.008.spi.1.12<"),
            CheckFailure.Header, CheckRule.MsgDefIdr, "/Envelope/AppHdr/MsgDefIdr");

    [Fact]
    public void MsgDefIdrMismatchIsNotAnXsdRuleSoCrossFieldOffAcceptsIt() =>
        Assert.True(Check(Replace("<MsgDefIdr>pacs.008.spi.1.13<", "<MsgDefIdr>pacs.008.spi.1.12<"), out _,
            new CheckOptions { RequireSignature = false, CrossFieldRules = false }).Ok);

    [Theory]
    [InlineData("2020-01-01T08:30:12Z")]
    [InlineData("2020-01-01T08:30:12.000+00:00")]
    [InlineData("2020-01-01T08:30:12.00Z")]
    [InlineData("2020-02-30T08:30:12.000Z")]
    [InlineData("2020-01-01 08:30:12.000Z")]
    public void CreDtMustBeTheExactUtcMillisecondForm(string creDt) =>
        AssertFails(Replace("<CreDt>2020-01-01T08:30:12.000Z<", "<CreDt>" + creDt + "<"),
            CheckFailure.Header, CheckRule.CreDt, "/Envelope/AppHdr/CreDt");

    [Fact]
    public void EmptySgntrFailsWhenTheSignatureIsRequired() =>
        AssertFails(TestMessages.Pacs008, CheckFailure.Signature, CheckRule.SignatureMissing, "/Envelope/AppHdr/Sgntr", CheckOptions.Default);

    [Fact]
    public void MissingSgntrIsAStructureFailure() =>
        AssertFails(Replace("<Sgntr/>", ""), CheckFailure.Structure, CheckRule.MissingElement, "/Envelope/AppHdr/Sgntr");

    [Fact]
    public void SgntrWithSomethingElseThanASignatureIsRejected() =>
        AssertFails(Replace("<Sgntr/>", "<Sgntr><Signature/></Sgntr>"), CheckFailure.Signature, CheckRule.SignatureElement);

    [Fact]
    public void InvalidUtf8IsACharsetFailure()
    {
        var bytes = TestMessages.Bytes(TestMessages.Pacs008);
        bytes[bytes.Length / 2] = 0xFF;
        var result = MessageCheck.Check(bytes, CheckOptions.Unsigned, out _);
        Assert.True(result.IsCharsetError);
        Assert.Equal(CheckRule.Utf8, result.RuleId);
    }

    [Fact]
    public void Latin1DeclarationIsACharsetFailure()
    {
        var result = Check(Replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""), out _);
        Assert.True(result.IsCharsetError);
        Assert.Equal(CheckRule.DeclaredEncoding, result.RuleId);
    }

    [Theory]
    [InlineData("0003816", CheckRule.Ispb)]
    [InlineData("0003816a", CheckRule.Ispb)]
    public void IspbMustBeEightUppercaseAlphanumerics(string ispb, CheckRule rule) =>
        AssertFails(Replace("<Id>00038166</Id>", "<Id>" + ispb + "</Id>"), CheckFailure.Header, rule,
            "/Envelope/AppHdr/Fr/FIId/FinInstnId/Othr/Id");

    [Fact]
    public void BizMsgIdrPatternIsChecked() =>
        AssertFails(Replace("<BizMsgIdr>M", "<BizMsgIdr>X"), CheckFailure.Header, CheckRule.BizMsgIdr, "/Envelope/AppHdr/BizMsgIdr");

    [Fact]
    public void DepthIsBounded()
    {
        var deep = string.Concat(Enumerable.Repeat("<a>", 40)) + string.Concat(Enumerable.Repeat("</a>", 40));
        AssertFails(Replace("<Sgntr/>", "<Sgntr><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">" + deep + "</Signature></Sgntr>"), CheckFailure.Limit, CheckRule.Depth);
    }

    [Fact]
    public void ElementCountIsBounded() =>
        AssertFails(TestMessages.Pacs008, CheckFailure.Limit, CheckRule.ElementCount,
            options: new CheckOptions { RequireSignature = false, MaxElements = 20 });

    [Fact]
    public void HeaderIsFilledAsFarAsItWasRead()
    {
        var result = Check(Replace("<CreDt>2020-01-01T08:30:12.000Z<", "<CreDt>bad<"), out var header);
        Assert.False(result.Ok);
        Assert.True(header.HasFrom);
        Assert.Equal(Ispb.Parse("00038166"), header.From);
        Assert.Equal(Ispb.Parse("99999010"), header.To);
        Assert.True(header.HasBizMsgIdr);
        Assert.Equal(MessageType.Pacs008, header.Type);
    }

    [Fact]
    public void CatalogueTypesWithoutSchemaGetEnvelopeAndHeaderChecksOnly()
    {
        var xml = Replace("pacs.008/1.13", "pibr.001/1.3").Replace("pacs.008.spi.1.13", "pibr.001.spi.1.3", StringComparison.Ordinal);
        var result = Check(xml, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(MessageType.Pibr001, header.Type);
        Assert.Equal("pibr.001/1.3", Encoding.ASCII.GetString(TestMessages.Bytes(xml)[header.TypeAndVersion]));
    }

    [Fact]
    public void WrongRootIsRejected() =>
        AssertFails(Replace("<Envelope ", "<Envelop ").Replace("</Envelope>", "</Envelop>", StringComparison.Ordinal),
            CheckFailure.Envelope, CheckRule.Root);

    [Fact]
    public void LocationNamesTheRepeatedTransaction()
    {
        var xml = Replace("<NbOfTxs>1<", "<NbOfTxs>2<");
        var tx = xml[xml.IndexOf("<CdtTrfTxInf>", StringComparison.Ordinal)..(xml.IndexOf("</CdtTrfTxInf>", StringComparison.Ordinal) + 14)];
        var bad = tx.Replace("<EndToEndId>E", "<EndToEndId>X", StringComparison.Ordinal);
        xml = xml.Replace(tx, tx + bad, StringComparison.Ordinal);
        AssertFails(xml, CheckFailure.Value, CheckRule.EndToEndIdPattern,
            "/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/PmtId/EndToEndId");
    }

    [Theory]
    [InlineData("")]
    [InlineData("<?xml version=\"1.0\"?>")]
    [InlineData("   ")]
    public void NoRootElementIsASyntaxFailure(string xml) =>
        AssertFails(xml, CheckFailure.Syntax, CheckRule.EmptyDocument);

    [Fact]
    public void Utf8ByteOrderMarkIsAccepted() => Assert.True(Check("\uFEFF" + TestMessages.Pacs008, out _).Ok);

    [Fact]
    public void TruncatedMessageIsRejectedButKeepsTheHeader()
    {
        var xml = TestMessages.Pacs008;
        var result = Check(xml[..(xml.Length * 2 / 3)], out var header);
        Assert.Equal(CheckFailure.Syntax, result.Failure);
        Assert.True(header.HasFrom);
    }

    [Theory]
    [InlineData("admi.002/1.5", MessageType.Admi002)]
    [InlineData("admi.004/1.2", MessageType.Admi004)]
    [InlineData("pibr.002/1.3", MessageType.Pibr002)]
    [InlineData("camt.060/1.9", MessageType.Camt060)]
    [InlineData("camt.054/1.16", MessageType.Camt054)]
    [InlineData("pain.013/2.2", MessageType.Pain013)]
    [InlineData("reda.041/1.7", MessageType.Reda041)]
    [InlineData("trck.002/1.1", MessageType.Trck002)]
    public void EveryCatalogueTypeIsKnown(string typeAndVersion, MessageType type)
    {
        var msgDefIdr = typeAndVersion.Replace("/", ".spi.", StringComparison.Ordinal);
        var xml = Replace("pacs.008/1.13", typeAndVersion).Replace("pacs.008.spi.1.13", msgDefIdr, StringComparison.Ordinal);
        var result = Check(xml, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(type, header.Type);
    }
}
