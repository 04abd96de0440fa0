using System.Text;
using System.Xml;
using System.Xml.Schema;
using Pix.Bench.Samples;
using Pix.Protocol.Ids;

namespace Pix.Bench.Xml;

/// <summary>Inputs of the XML benchmarks: the BCB pacs.008 examples (read from the shared reference folder, never
/// shipped) with a stand-in signature, and a signed sample of about 8 KB; plus the BCB XSDs for the reference validator.</summary>
internal static class XmlBenchMessages
{
    public const string Sample8K = "sample-8KB";
    public static readonly string[] Names = ["pacs.008_CONTA", "pacs.008_COMP_TROCO", Sample8K];

    /// <summary>Declares ds:Signature with any content: the BCB's xmldsig schema is not public (see Pix.Tests' XsdOracle).</summary>
    private const string XmlDsigStandIn = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">
          <xs:element name="Signature"><xs:complexType mixed="true"><xs:sequence>
            <xs:any processContents="skip" namespace="##any" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
            <xs:anyAttribute processContents="skip" namespace="##any"/></xs:complexType></xs:element>
        </xs:schema>
        """;

    public static string ReferenceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pix.sln"))) return Path.Combine(dir.FullName, "..", "shared", "reference", "bcb-spi");
        }
        var here = Directory.GetCurrentDirectory();
        return Path.Combine(here, "..", "shared", "reference", "bcb-spi");
    }

    public static byte[] Load(string name)
    {
        if (name == Sample8K) return Sized(8 * 1024);
        var text = File.ReadAllText(Path.Combine(ReferenceFolder(), name + "_1_msg.xml"));
        return Encoding.UTF8.GetBytes(text.Replace("<Sgntr/>",
            "<Sgntr><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo/></Signature></Sgntr>", StringComparison.Ordinal));
    }

    /// <summary>A signed pacs.008 (development certificate) with as many transactions as fit in about <paramref name="bytes"/>.</summary>
    public static byte[] Sized(int bytes)
    {
        var from = Ispb.Parse("12345678");
        var one = Encoding.UTF8.GetByteCount(SampleMessages.Pacs008(from, Ispb.Spi, transactions: 1));
        var two = Encoding.UTF8.GetByteCount(SampleMessages.Pacs008(from, Ispb.Spi, transactions: 2));
        var count = Math.Max(1, 1 + (int)Math.Round((bytes - one) / (double)(two - one)));
        return Encoding.UTF8.GetBytes(SampleMessages.Pacs008(from, Ispb.Spi, transactions: count));
    }

    public static XmlSchemaSet Schemas()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        var folder = ReferenceFolder();
        foreach (var xsd in new[] { "pacs.008.spi.1.13.xsd", "pacs.002.spi.1.14.xsd", "pacs.004.spi.1.5.xsd" })
        {
            using var reader = XmlReader.Create(Path.Combine(folder, xsd));
            set.Add(null, reader);
        }
        using (var reader = XmlReader.Create(new StringReader(XmlDsigStandIn))) set.Add(null, reader);
        set.Compile();
        return set;
    }
}
