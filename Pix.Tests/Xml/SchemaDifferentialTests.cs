using System.Text;
using System.Xml.Linq;
using Pix.Protocol.Xml;
using Xunit.Abstractions;

namespace Pix.Tests.Xml;

/// <summary>
/// The span checker must accept exactly what .NET's XmlSchemaSet validation against the BCB XSDs accepts.
/// Variants carry a stand-in ds:Signature (see <see cref="XsdOracle"/>) and are checked with the signature
/// required and cross-field rules off (those rules are stricter than the XSD on purpose and have their own tests).
/// </summary>
public class SchemaDifferentialTests(ITestOutputHelper output)
{
    private static readonly CheckOptions XsdEquivalent = new() { RequireSignature = true, CrossFieldRules = false };

    [Fact]
    public void SpanCheckerAgreesWithXmlSchemaSetOnEveryVariant()
    {
        var variants = BaseMessages().SelectMany(b => VariantGenerator.Variants(b.Name, b.Doc)).ToList();
        var disagreements = new List<string>();
        int accepted = 0, rejected = 0, stricter = 0;
        foreach (var variant in variants)
        {
            var xsd = XsdOracle.Accepts(variant.Xml, out var why);
            var result = MessageCheck.Check(variant.Xml, XsdEquivalent, out _);
            if (xsd) accepted++; else rejected++;
            if (IsKnownStricter(variant.Description))
            {
                // Deliberate: MessageCheck refuses what the XSD allows here. It must still refuse it.
                if (result.Ok) disagreements.Add($"{variant.Description}: expected MessageCheck to refuse it");
                stricter++;
                continue;
            }
            if (xsd != result.Ok)
            {
                disagreements.Add($"{variant.Description}\n  XSD: {(xsd ? "valid" : why)}\n  MessageCheck: {result}\n  {Encoding.UTF8.GetString(variant.Xml)}");
            }
        }
        output.WriteLine($"{variants.Count} variants: {accepted} valid, {rejected} invalid per the XSD; {variants.Count - disagreements.Count - stricter} agreements, {disagreements.Count} disagreements, {stricter} known-stricter (xsi:type)");
        foreach (var d in disagreements.Take(40)) output.WriteLine(d);
        Assert.True(variants.Count >= 2000, $"only {variants.Count} variants");
        Assert.True(accepted >= 200, $"only {accepted} valid variants");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreements, first:\n{string.Join("\n", disagreements.Take(5))}");
    }

    [Theory]
    [MemberData(nameof(EnvelopeReaderTests.Examples), MemberType = typeof(EnvelopeReaderTests))]
    public void BcbExamplesAsPublishedFailTheXsdOnlyForTheEmptySgntr(string file)
    {
        var xml = BcbReference.Example(file);
        Assert.False(XsdOracle.Accepts(xml, out var why));
        Assert.Contains("Sgntr", why);
        Assert.Single(why.Split("; "));
        Assert.False(MessageCheck.Check(xml, XsdEquivalent, out _).Ok);
        Assert.True(MessageCheck.Check(xml, CheckOptions.Unsigned, out _).Ok);
    }

    /// <summary>xsi:type naming the declared type (or one derived from it) is valid XSD; Pix's tables carry no type
    /// names, so MessageCheck refuses every xsi:type.</summary>
    private static bool IsKnownStricter(string description) => description.EndsWith("xsi:type on MsgDefIdr", StringComparison.Ordinal);

    internal static IEnumerable<(string Name, XDocument Doc)> BaseMessages()
    {
        foreach (var file in BcbReference.ExampleFiles())
        {
            var doc = WithStandInSignature(XDocument.Load(file, LoadOptions.PreserveWhitespace));
            var name = Path.GetFileNameWithoutExtension(file);
            yield return (name, doc);
            if (name.StartsWith("pacs.008_CONTA", StringComparison.Ordinal) || name.StartsWith("pacs.004", StringComparison.Ordinal) ||
                name.StartsWith("pacs.002_ERRO", StringComparison.Ordinal))
            {
                yield return (name + " x3", WithTransactions(doc, 3));
            }
        }
        // Generated and really signed (fresh ids each run, same shapes): the XMLDSig content sits in Sgntr.
        var psp = Pix.Protocol.Ids.Ispb.Parse("12345678");
        yield return ("signed sample pacs.008 x2", XDocument.Parse(Pix.Bench.Samples.SampleMessages.Pacs008(psp, Pix.Protocol.Ids.Ispb.Spi, transactions: 2), LoadOptions.PreserveWhitespace));
        yield return ("signed sample pacs.002 RJCT", XDocument.Parse(Pix.Bench.Samples.SampleMessages.Pacs002(Pix.Protocol.Ids.Ispb.Spi, psp, status: "RJCT"), LoadOptions.PreserveWhitespace));
        yield return ("signed sample pacs.004", XDocument.Parse(Pix.Bench.Samples.SampleMessages.Pacs004(psp, Pix.Protocol.Ids.Ispb.Spi), LoadOptions.PreserveWhitespace));
    }

    internal static XDocument WithStandInSignature(XDocument doc)
    {
        var copy = new XDocument(doc);
        var sgntr = copy.Root!.Descendants().Single(e => e.Name.LocalName == "Sgntr");
        sgntr.ReplaceNodes(new XElement(XName.Get("Signature", VariantGenerator.DsNamespace),
            new XElement(XName.Get("SignedInfo", VariantGenerator.DsNamespace), "stand-in")));
        return copy;
    }

    private static XDocument WithTransactions(XDocument doc, int count)
    {
        var copy = new XDocument(doc);
        var tx = copy.Root!.Descendants().First(e => e.Name.LocalName is "CdtTrfTxInf" or "TxInf" or "TxInfAndSts");
        for (var i = 1; i < count; i++) tx.AddAfterSelf(new XElement(tx));
        var nb = copy.Root.Descendants().FirstOrDefault(e => e.Name.LocalName == "NbOfTxs");
        if (nb is not null) nb.Value = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return copy;
    }
}
