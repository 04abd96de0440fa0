using System.Text;
using System.Xml.Linq;

namespace Pix.Tests.Xml;

/// <summary>Small edits of the BCB examples for rule-by-rule tests.</summary>
internal static class TestMessages
{
    public static string Pacs008 => Encoding.UTF8.GetString(BcbReference.Example("pacs.008_CONTA_1_msg.xml"));

    public static byte[] Bytes(string xml) => Encoding.UTF8.GetBytes(xml);

    /// <summary>The CONTA example with a stand-in ds:Signature in Sgntr, so it passes with the signature required.</summary>
    public static byte[] SignedPacs008()
    {
        var doc = SchemaDifferentialTests.WithStandInSignature(
            XDocument.Parse(Pacs008, LoadOptions.PreserveWhitespace));
        return VariantGenerator.Make("signed", doc).Xml;
    }
}
