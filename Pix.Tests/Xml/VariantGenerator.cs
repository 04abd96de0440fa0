using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Pix.Tests.Xml;

/// <summary>
/// Makes variants of a valid message: some stay valid (same-shape values, extra transactions, optional elements
/// dropped), most break one thing (an element removed, repeated, moved, renamed or put in another namespace; a
/// value replaced by a pattern, length, enumeration, number or date breaker; attributes added or removed; text
/// where only elements may go; DTDs and bad references). Which variants are valid is not decided here: the XSD
/// oracle says.
/// </summary>
internal static class VariantGenerator
{
    public const string DsNamespace = "http://www.w3.org/2000/09/xmldsig#";

    private static readonly string[] ValueBreakers =
    [
        "", " ", "X", "0", "1", "-1.00", "1000.5", "1000.001", "1000.000", ".5", "5.", "+5", "1e3", "0.00",
        "1234567890123456.78", "12345678901234567.89", "1234567890123456789", "123456789012345",
        "1234567890123456", "12345678901234567890", "123456789012345678901", "12345", "99999", "00038166",
        "0003816", "000381666", "0003816a", "ABCDEFGH", "2020-01-01T08:30:12.000Z", "2020-01-01T08:30:12Z",
        "2020-01-01T08:30:12.000", "2020-01-01T08:30:12.000+00:00", "2020-02-30T08:30:12.000Z", "2020-02-29T08:30:12.000Z",
        "2021-02-29T08:30:12.000Z", "2020-13-01T08:30:12.000Z", "2020-01-01T24:00:00.000Z", "2020-01-01T23:60:00.000Z",
        "2020-01-01T23:59:60.000Z", "0000-01-01T00:00:00.000Z", "2020-01-01", "2020-1-01", "2020-01-01Z", "2020-01-01+03:00",
        "2020-01-01+15:00", "2020-01-01+14:01", "2020-01-01-23:59", "2020-01-01+99:00", "2020-01-01+24:00",
        "2020-01-01+01:60", "2020-01-01+1:00", "10000-01-01", "-2020-01-01", "0000-01-01", "2020-01-01T00:00:00", "2020-02-30", " 2020-01-01 ", "E9999901012341234123412345678900", "D9999901012341234123412345678900",
        "|9999901012341234123412345678900", "E999990101234123412341234567890", "E99999010123412341234123456789000",
        "E9999901012342234123412345678900", "E9999901012341244123412345678900", "E9999901012341234323412345678900",
        "E9999901012341234126412345678900", "E99999a1012341234123412345678900", "E9999901012341234123412345678_00",
        "M9999901012345678901234567890123", "M99999010123456789012345678901234", "m9999901012345678901234567890123",
        "M9999901a12345678901234567890123", "M999990101234567890123456789012!", "70000000000", "7000000000", "700000000000",
        "12345678000195", "ABCDEFGHIJKL95", "ABCDEFGHIJKLMN", "abcdefghijkl95", "CACC", "SLRY", "OTHR", "cacc", "HIGH",
        "NORM", "LOW", "PAGPRI", "PAGAGD", "PAGXXX", "CLRG", "SLEV", "SHAR", "MANU", "DICT", "APES", "GSCB", "IPRT",
        "ACSP", "ACCC", "PDNG", "AB03", "AM23", "BE08", "FR01", "XX01", "VLCP", "VLDN", "AGFSS", "AGPSS",
        "pacs.008.spi.1.13", new string('a', 35), new string('a', 36), new string('a', 77), new string('a', 78),
        new string('a', 105), new string('a', 106), new string('a', 140), new string('a', 141), new string('é', 140),
        new string('é', 141), "a&b<c>\"'", "line\r\nbreak", "AaBbCcDdEeFfGgHhIiJjKk0", "AaBbCcDdEeFfGgHhIiJjKk0-",
        new string('A', 35), new string('A', 36), "1000.00 ", " 1000.00",
    ];

    public static IEnumerable<MessageVariant> Variants(string name, XDocument valid)
    {
        yield return Make(name + ": as is", valid);
        var paths = Elements(valid).ToList();
        for (var index = 0; index < paths.Count; index++)
        {
            var path = Describe(paths[index]);
            foreach (var (what, mutate) in ElementMutations(paths[index]))
            {
                var copy = new XDocument(valid);
                var target = Elements(copy).ElementAt(index);
                mutate(target);
                yield return Make($"{name}: {what} at {path}", copy);
            }
        }
        foreach (var variant in TextMutations(name, Make(name, valid).Xml)) yield return variant;
    }

    /// <summary>Elements of the message outside the signature (whose contents neither checker validates).</summary>
    private static IEnumerable<XElement> Elements(XDocument doc) =>
        doc.Root!.DescendantsAndSelf().Where(e => !e.AncestorsAndSelf().Any(a => a.Name.NamespaceName == DsNamespace));

    private static IEnumerable<(string, Action<XElement>)> ElementMutations(XElement element)
    {
        var isLeaf = !element.HasElements && element.Name.LocalName != "Sgntr";
        if (element.Parent is not null)
        {
            yield return ("remove", e => e.Remove());
            yield return ("repeat", e => e.AddAfterSelf(new XElement(e)));
            yield return ("repeat 3 times", e => e.AddAfterSelf(new XElement(e), new XElement(e)));
            yield return ("swap with next", e =>
            {
                if (e.ElementsAfterSelf().FirstOrDefault() is { } next)
                {
                    next.Remove();
                    e.AddBeforeSelf(next);
                }
            });
            yield return ("rename", e => e.Name = e.Name.Namespace + "Unknown");
            yield return ("other namespace", e => e.Name = XName.Get(e.Name.LocalName, "urn:other"));
            yield return ("no namespace", e => e.Name = XName.Get(e.Name.LocalName, ""));
            yield return ("unknown child", e => e.Add(new XElement(e.Name.Namespace + "Extra", "1")));
        }
        else
        {
            foreach (var ns in new[] { "https://www.bcb.gov.br/pi/pacs.008/1.12", "https://www.bcb.gov.br/pi/pacs.009/1.13",
                         "https://www.bcb.gov.br/pi/pacs.002/1.14", "http://www.bcb.gov.br/pi/pacs.008/1.13", "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09" })
            {
                yield return ($"envelope namespace {ns}", e =>
                {
                    var old = e.Name.Namespace;
                    e.Attribute("xmlns")?.Remove();
                    foreach (var d in e.DescendantsAndSelf().Where(d => d.Name.Namespace == old)) d.Name = XName.Get(d.Name.LocalName, ns);
                });
            }
            yield return ("prefixed names", e =>
            {
                e.Add(new XAttribute(XNamespace.Xmlns + "p", e.Name.NamespaceName));
            });
        }
        yield return ("unknown attribute", e => e.SetAttributeValue("Foo", "1"));
        yield return ("xml:lang attribute", e => e.SetAttributeValue(XNamespace.Xml + "lang", "pt"));
        if (element.Attribute("Ccy") is not null)
        {
            yield return ("no Ccy", e => e.Attribute("Ccy")!.Remove());
            yield return ("Ccy USD", e => e.SetAttributeValue("Ccy", "USD"));
            yield return ("Ccy brl", e => e.SetAttributeValue("Ccy", "brl"));
            yield return ("Ccy with space", e => e.SetAttributeValue("Ccy", "BRL "));
        }
        else if (isLeaf)
        {
            yield return ("Ccy on a plain value", e => e.SetAttributeValue("Ccy", "BRL"));
        }
        if (isLeaf)
        {
            foreach (var value in ValueBreakers)
            {
                yield return ($"value '{value}'", e => e.Value = value);
            }
            yield return ("same-shape value", e => e.Value = SameShape(e.Value));
            yield return ("value padded", e => e.Value = " " + e.Value + " ");
            yield return ("value + X", e => e.Value += "X");
            yield return ("value - last char", e => e.Value = e.Value.Length > 0 ? e.Value[..^1] : e.Value);
            yield return ("value lowercased", e => e.Value = e.Value.ToLowerInvariant());
            yield return ("value with a child", e => e.Add(new XElement(e.Name.Namespace + "Extra")));
            yield return ("value in CDATA", e => e.ReplaceNodes(new XCData(e.Value)));
            yield return ("value with a comment", e => e.ReplaceNodes(new XText(e.Value[..(e.Value.Length / 2)]), new XComment("c"), new XText(e.Value[(e.Value.Length / 2)..])));
            yield return ("empty element", e => e.RemoveNodes());
        }
        else if (element.Parent is not null && element.Name.LocalName != "Sgntr")
        {
            yield return ("text in element-only content", e => e.AddFirst(new XText("x")));
            yield return ("empty", e => e.RemoveNodes());
        }
        if (element.Name.LocalName == "Sgntr")
        {
            yield return ("empty Sgntr", e => e.RemoveNodes());
            yield return ("two signatures", e => e.Add(new XElement(XName.Get("Signature", DsNamespace))));
            yield return ("non-ds child in Sgntr", e => e.ReplaceNodes(new XElement(e.Name.Namespace + "Signature")));
            yield return ("ds:KeyInfo instead of Signature", e => e.ReplaceNodes(new XElement(XName.Get("KeyInfo", DsNamespace))));
        }
    }

    private static IEnumerable<MessageVariant> TextMutations(string name, byte[] xml)
    {
        var text = Encoding.UTF8.GetString(xml);
        var rootAt = text.IndexOf("<Envelope", StringComparison.Ordinal);
        var firstTextAt = text.IndexOf("</Id>", StringComparison.Ordinal);
        MessageVariant V(string what, string t) => new($"{name}: {what}", Encoding.UTF8.GetBytes(t));
        yield return V("DOCTYPE", text.Insert(rootAt, "<!DOCTYPE Envelope>"));
        yield return V("entity declaration", text.Insert(rootAt, "<!DOCTYPE Envelope [<!ENTITY x \"00038166\">]>"));
        yield return V("billion laughs", text.Insert(rootAt, "<!DOCTYPE Envelope [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"));
        yield return V("undeclared entity", text.Insert(firstTextAt, "&x;"));
        yield return V("character reference", text.Replace("<Id>0", "<Id>&#48;", StringComparison.Ordinal));
        yield return V("bad character reference", text.Insert(firstTextAt, "&#0;"));
        yield return V("comment before root", text.Insert(rootAt, "<!-- c -->"));
        yield return V("processing instruction", text.Insert(rootAt, "<?pi x?>"));
        yield return V("bad comment", text.Insert(rootAt, "<!-- a -- b -->"));
        yield return V("text after root", text + "x");
        yield return V("second root", text + "<Envelope/>");
        yield return V("truncated", text[..(text.Length / 2)]);
        yield return V("no declaration", text[text.IndexOf("<Envelope", StringComparison.Ordinal)..]);
        yield return V("latin-1 declaration", text.Replace("UTF-8", "ISO-8859-1", StringComparison.Ordinal));
        yield return V("version 1.1", text.Replace("version=\"1.0\"", "version=\"1.1\"", StringComparison.Ordinal));
        yield return V("space before declaration", " " + text);
        yield return V("BOM", "\uFEFF" + text);
        yield return V("control character", text.Insert(firstTextAt, "\u0001"));
        yield return V("CRLF line ends", text.Replace("\n", "\r\n", StringComparison.Ordinal));
        yield return V("mismatched end tag", text.Replace("</AppHdr>", "</AppHdx>", StringComparison.Ordinal));
        yield return V("attribute without quotes", text.Replace("<AppHdr>", "<AppHdr a=1>", StringComparison.Ordinal));
        yield return V("duplicate attribute", text.Replace("<AppHdr>", "<AppHdr xmlns:a=\"x\" xmlns:a=\"x\">", StringComparison.Ordinal));
        yield return V("unbound prefix", text.Replace("<AppHdr>", "<q:AppHdr>", StringComparison.Ordinal).Replace("</AppHdr>", "</q:AppHdr>", StringComparison.Ordinal));
        yield return V("prefixed AppHdr", text.Replace("<AppHdr>", "<q:AppHdr xmlns:q=\"" + NamespaceOf(text) + "\">", StringComparison.Ordinal).Replace("</AppHdr>", "</q:AppHdr>", StringComparison.Ordinal));
        yield return V("default namespace undeclared", text.Replace("<AppHdr>", "<AppHdr xmlns=\"\">", StringComparison.Ordinal));
        yield return V("CDATA outside root", text + "<![CDATA[x]]>");
        yield return V("whitespace char reference in element-only content", text.Replace("<AppHdr>", "<AppHdr>&#32;", StringComparison.Ordinal));
        yield return V("letter char reference in element-only content", text.Replace("<AppHdr>", "<AppHdr>&#65;", StringComparison.Ordinal));
        yield return V("xsi:schemaLocation on the root", text.Replace("<Envelope ", "<Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:a b.xsd\" ", StringComparison.Ordinal));
        yield return V("xsi:noNamespaceSchemaLocation on the root", text.Replace("<Envelope ", "<Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"b.xsd\" ", StringComparison.Ordinal));
        yield return V("xsi:nil false", text.Replace("<AppHdr>", "<AppHdr xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"false\">", StringComparison.Ordinal));
        yield return V("xsi:type on MsgDefIdr", text.Replace("<MsgDefIdr>", "<MsgDefIdr xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Max35Text\">", StringComparison.Ordinal));
        yield return V("whitespace CDATA in element-only content", text.Replace("<AppHdr>", "<AppHdr><![CDATA[ ]]>", StringComparison.Ordinal));
        yield return V("empty CDATA in element-only content", text.Replace("<AppHdr>", "<AppHdr><![CDATA[]]>", StringComparison.Ordinal));
        yield return V("comment and PI in element-only content", text.Replace("<AppHdr>", "<AppHdr><!--c--><?p x?>", StringComparison.Ordinal));
        yield return V("comment inside a value", text.Replace("<MsgDefIdr>pacs.", "<MsgDefIdr>pacs<!--c-->.", StringComparison.Ordinal));
        yield return V("PI inside a value", text.Replace("<MsgDefIdr>pacs.", "<MsgDefIdr>pacs<?p?>.", StringComparison.Ordinal));
        yield return V("CDATA part of a value", text.Replace("<MsgDefIdr>pacs.", "<MsgDefIdr><![CDATA[pacs]]>.", StringComparison.Ordinal));
        yield return V("surrogate character reference", text.Replace("<Id>0", "<Id>&#xD800;0", StringComparison.Ordinal));
        yield return V("encoding utf8", text.Replace("UTF-8", "utf8", StringComparison.Ordinal));
        yield return V("encoding lowercase", text.Replace("UTF-8", "utf-8", StringComparison.Ordinal));
        yield return V("no encoding", text.Replace(" encoding=\"UTF-8\"", "", StringComparison.Ordinal));
        yield return V("reserved PI target", text.Insert(rootAt, "<?XML x?>"));
        yield return V("xml declaration after a comment", "<!--c-->" + text);
        yield return V("single-quoted attributes", text.Replace("Ccy=\"BRL\"", "Ccy='BRL'", StringComparison.Ordinal));
        yield return V("character reference in Ccy", text.Replace("Ccy=\"BRL\"", "Ccy=\"&#66;RL\"", StringComparison.Ordinal));
        yield return V("newline in Ccy", text.Replace("Ccy=\"BRL\"", "Ccy=\"BRL&#10;\"", StringComparison.Ordinal));
        yield return V("spaces around =", text.Replace("Ccy=\"BRL\"", "Ccy = \"BRL\"", StringComparison.Ordinal));
        yield return V("end tag with space", text.Replace("</AppHdr>", "</AppHdr >", StringComparison.Ordinal));
        yield return V("]]> in text", text.Replace("<Nm>", "<Nm>]]>", StringComparison.Ordinal));
        yield return V("> in text", text.Replace("<Nm>", "<Nm>a>b", StringComparison.Ordinal));
        var invalid = (byte[])xml.Clone();
        invalid[firstTextAt + 2] = 0xC3;
        yield return new($"{name}: invalid UTF-8", invalid);
    }

    private static string NamespaceOf(string text)
    {
        var at = text.IndexOf("xmlns=\"", StringComparison.Ordinal) + 7;
        return text[at..text.IndexOf('"', at)];
    }

    /// <summary>Replaces each digit, upper- and lowercase letter by another of its class, keeping everything else.</summary>
    public static string SameShape(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c is >= '0' and <= '8') chars[i] = (char)(c + 1);
            else if (c is >= 'A' and <= 'Y') chars[i] = (char)(c + 1);
            else if (c is >= 'a' and <= 'y') chars[i] = (char)(c + 1);
        }
        return new string(chars);
    }

    public static MessageVariant Make(string description, XDocument doc)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            doc.Save(writer);
        }
        return new MessageVariant(description, stream.ToArray());
    }

    private static string Describe(XElement e) => "/" + string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.LocalName));
}
