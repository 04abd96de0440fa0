using System.Text;

namespace Pix.Tests.Signatures;

/// <summary>
/// Random well-formed XML documents that use what canonicalization must get right, beyond what SPI messages use:
/// default and prefixed namespaces declared, redeclared, undeclared (<c>xmlns=""</c>) and left unused; prefixed and
/// <c>xml:</c> attributes in any order and either quote; references, literal CR, CR LF, TAB and non-ASCII in text and
/// attribute values; CDATA, comments and processing instructions inside and outside the root; spaces in tags.
/// </summary>
internal sealed class RandomXml(Random random)
{
    private static readonly string[] Prefixes = ["a", "b", "ds", "x1"];
    private static readonly string[] Uris = ["urn:one", "urn:two", "http://example.com/three#", "urn:'q'", "urn:\"dq\""];
    private static readonly string[] TextPieces =
    [
        "text", " ", "  ", "\n", "\r\n", "\r", "\t", "&amp;", "&lt;", "&gt;", "&quot;", "'", "\"", "&#9;", "&#10;", "&#13;",
        "&#xD;&#xA;", "&#13;\n", "é", "中文", "😀", "&#x1F600;", "&#233;", "]]", "a]b", "=", "x>",
    ];
    private static readonly string[] AttributePieces =
    [
        "v", " ", "\t", "\n", "\r\n", "\r", "&amp;", "&lt;", ">", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;", "&#32;",
        "é", "😀", "&#x1F600;",
    ];

    public int Elements { get; private set; }

    /// <summary>A document, and the ids given to some elements (<c>Id="eN"</c>) for references by Id.</summary>
    public string Document(out List<string> ids)
    {
        ids = [];
        Elements = 0;
        var xml = new StringBuilder();
        if (random.Next(2) == 0) xml.Append(random.Next(2) == 0 ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" : "<?xml version='1.0'?>\n");
        Misc(xml);
        Element(xml, depth: 0, scope: [], ids);
        Misc(xml);
        return xml.ToString();
    }

    private void Misc(StringBuilder xml)
    {
        for (var i = random.Next(3); i > 0; i--)
        {
            xml.Append(random.Next(3) switch { 0 => "<!-- outside -->", 1 => "<?pi-out  data here ?>", _ => "\n" });
        }
    }

    private void Element(StringBuilder xml, int depth, Dictionary<string, string> scope, List<string> ids)
    {
        Elements++;
        var inScope = new Dictionary<string, string>(scope);
        var declarations = new List<string>();
        for (var i = random.Next(depth == 0 ? 3 : 2); i > 0; i--)
        {
            var roll = random.Next(6);
            if (roll == 0)
            {
                var uri = random.Next(4) == 0 ? "" : Uris[random.Next(Uris.Length)];
                if (declarations.Any(d => d.StartsWith("xmlns=", StringComparison.Ordinal))) continue;
                if (inScope.Any(b => b.Value == uri && b.Key != "")) continue;
                declarations.Add("xmlns=" + Quote(uri));
                inScope[""] = uri;
            }
            else
            {
                var prefix = Prefixes[random.Next(Prefixes.Length)];
                if (declarations.Any(d => d.StartsWith("xmlns:" + prefix + "=", StringComparison.Ordinal))) continue;
                var uri = Uris[random.Next(Uris.Length)];
                // .NET's serializer writes an attribute with whichever prefix it finds first for its namespace, so two
                // prefixes bound to one namespace are left out (see the README of Pix.Protocol/Signatures).
                if (inScope.Any(b => b.Value == uri && b.Key != prefix)) continue;
                declarations.Add($"xmlns:{prefix}=" + Quote(uri));
                inScope[prefix] = uri;
            }
        }
        var usable = inScope.Keys.Where(p => p.Length > 0).ToList();
        var name = "e" + random.Next(4);
        if (usable.Count > 0 && random.Next(2) == 0) name = usable[random.Next(usable.Count)] + ":" + name;

        var attributes = new List<string>(declarations);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = random.Next(4); i > 0; i--)
        {
            string attribute;
            var roll = random.Next(5);
            if (roll == 0 && usable.Count > 0) attribute = usable[random.Next(usable.Count)] + ":t" + random.Next(3);
            else if (roll == 1) attribute = random.Next(2) == 0 ? "xml:lang" : "xml:space";
            else attribute = "at" + random.Next(4);
            var key = attribute.Contains(':') ? inScopeUri(attribute) + "|" + attribute[(attribute.IndexOf(':') + 1)..] : "|" + attribute;
            if (!names.Add(key)) continue;
            attributes.Add(attribute + Spaces() + "=" + Spaces() + Quote(AttributeValue(attribute)));
        }
        if (random.Next(6) == 0)
        {
            var id = "e" + ids.Count;
            ids.Add(id);
            attributes.Add("Id=" + Quote(id));
        }
        attributes = attributes.OrderBy(_ => random.Next()).ToList();

        xml.Append('<').Append(name);
        foreach (var attribute in attributes) xml.Append(random.Next(4) == 0 ? "\n  " : " ").Append(attribute);
        xml.Append(Spaces());
        if (depth > 4 || random.Next(5) == 0)
        {
            xml.Append("/>");
            return;
        }
        xml.Append('>');
        for (var i = random.Next(5); i > 0; i--)
        {
            switch (random.Next(7))
            {
                case 0:
                case 1:
                    Element(xml, depth + 1, inScope, ids);
                    break;
                case 2:
                    xml.Append("<![CDATA[").Append(random.Next(3) switch { 0 => "a < b & c", 1 => "line\r\nend\r", _ => "]] >" }).Append("]]>");
                    break;
                case 3:
                    xml.Append(random.Next(2) == 0 ? "<!-- c -->" : "<?pi-in x=\"1\"\r\n?>");
                    break;
                default:
                    xml.Append(Text());
                    break;
            }
        }
        xml.Append("</").Append(name).Append(Spaces()).Append('>');

        string inScopeUri(string qualified) =>
            qualified.StartsWith("xml:", StringComparison.Ordinal) ? "xml" : inScope[qualified[..qualified.IndexOf(':')]];
    }

    private string AttributeValue(string attribute)
    {
        if (attribute == "xml:space") return random.Next(2) == 0 ? "preserve" : "default";
        var value = new StringBuilder();
        for (var i = random.Next(5); i > 0; i--) value.Append(AttributePieces[random.Next(AttributePieces.Length)]);
        return value.ToString();
    }

    private string Text()
    {
        var text = new StringBuilder();
        for (var i = 1 + random.Next(4); i > 0; i--) text.Append(TextPieces[random.Next(TextPieces.Length)]);
        return text.ToString();
    }

    private string Spaces() => random.Next(4) switch { 0 => " ", 1 => "\n", _ => "" };

    /// <summary>Quoted with whichever quote the value does not hold (namespace names may hold one).</summary>
    private string Quote(string value)
    {
        var quote = value.Contains('"') ? '\'' : value.Contains('\'') ? '"' : random.Next(2) == 0 ? '"' : '\'';
        return quote + value + quote;
    }
}
