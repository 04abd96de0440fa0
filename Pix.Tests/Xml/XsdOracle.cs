using System.Xml;
using System.Xml.Schema;

namespace Pix.Tests.Xml;

/// <summary>
/// .NET's own XSD validation against the BCB schemas, the reference the span checker is compared with.
/// The BCB XSDs declare <c>Sgntr</c> as one strict <c>xs:any</c> from the xmldsig namespace, whose schema
/// (xmldsig.0.1.xsd) is not public. A stand-in schema declares just <c>ds:Signature</c> with content and
/// attributes skipped (mixed): it makes the XSD accept exactly what MessageCheck accepts in Sgntr with the
/// signature required (one ds:Signature, contents not validated). An empty Sgntr fails here, as it does in
/// MessageCheck with RequireSignature on. Validation warnings (e.g. an Envelope in a namespace with no schema)
/// count as rejections.
/// </summary>
internal static class XsdOracle
{
    public const string XmlDsigStandIn = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">
          <xs:element name="Signature">
            <xs:complexType mixed="true">
              <xs:sequence><xs:any processContents="skip" namespace="##any" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
              <xs:anyAttribute processContents="skip" namespace="##any"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """;

    private static readonly XmlSchemaSet Schemas = Build();

    private static XmlSchemaSet Build()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        foreach (var xsd in BcbReference.XsdFiles)
        {
            using var reader = XmlReader.Create(BcbReference.Xsd(xsd), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            set.Add(null, reader);
        }
        using (var reader = XmlReader.Create(new StringReader(XmlDsigStandIn))) set.Add(null, reader);
        set.Compile();
        return set;
    }

    public static XmlReaderSettings Settings(List<string> errors)
    {
        var settings = new XmlReaderSettings
        {
            ValidationType = ValidationType.Schema,
            Schemas = Schemas,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings | XmlSchemaValidationFlags.ProcessIdentityConstraints,
        };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        return settings;
    }

    public static bool Accepts(byte[] xml, out string why)
    {
        var errors = new List<string>();
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), Settings(errors));
            while (reader.Read()) { }
        }
        catch (XmlException e)
        {
            errors.Add("XmlException: " + e.Message);
        }
        why = string.Join("; ", errors);
        return errors.Count == 0;
    }
}
