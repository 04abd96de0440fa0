using System.Text;
using System.Text.RegularExpressions;

namespace Pix.Tests.Signatures;

/// <summary>
/// Edits of an SPI message's text that keep it one the Pix checks accept: how it is written (indentation, line ends,
/// references, CDATA, comments, processing instructions, quotes, namespace declarations and prefixes) or a byte of
/// its content. Positions come from <see cref="Random"/>, so a seed replays the same edits.
/// </summary>
internal static partial class MessageEdits
{
    public const string UnusedNamespace = "urn:pix:test:unused";

    [GeneratedRegex(@">([^<]*[^<\s][^<]*)<")]
    private static partial Regex TextNode();

    [GeneratedRegex(@"<([A-Za-z][\w.:-]*)([^<>]*?)(/?)>")]
    private static partial Regex StartTag();

    [GeneratedRegex(@"</([A-Za-z][\w.:-]*)>")]
    private static partial Regex EndTag();

    [GeneratedRegex(@"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])")]
    private static partial Regex UnprefixedName();

    [GeneratedRegex(@"<([\w.-]+:)?(Envelope|Document)[\s/>]")]
    private static partial Regex EnvelopeOrDocument();

    /// <summary>Where the start tag of the Envelope or the Document is (prefixed or not).</summary>
    public static int ElementStart(string xml, string localName) =>
        EnvelopeOrDocument().Matches(xml).First(m => m.Groups[2].Value == localName).Index;

    /// <summary>Line ends and indentation between every two adjacent tags.</summary>
    public static string Indent(string xml, string newline, string indent) =>
        xml.Replace("><", ">" + newline + indent + "<", StringComparison.Ordinal);

    /// <summary>Positions in [from, to) right before a tag that follows other markup, with only whitespace between
    /// (element-only content, or outside the root; not after a CDATA section).</summary>
    public static List<int> BetweenTags(string xml, int from, int to)
    {
        var positions = new List<int>();
        for (var i = Math.Max(3, from); i < to; i++)
        {
            if (xml[i] != '<') continue;
            var j = i - 1;
            while (j > 0 && xml[j] is ' ' or '\t' or '\r' or '\n') j--;
            if (xml[j] == '>' && !(xml[j - 1] == ']' && xml[j - 2] == ']')) positions.Add(i);
        }
        return positions;
    }

    /// <summary>Offsets of the letters and digits of text content in [from, to), outside references.</summary>
    public static List<int> TextCharacters(string xml, int from, int to)
    {
        var positions = new List<int>();
        foreach (Match node in TextNode().Matches(xml[..to], from))
        {
            var group = node.Groups[1];
            var inReference = false;
            for (var i = group.Index; i < group.Index + group.Length; i++)
            {
                var c = xml[i];
                if (c == '&') inReference = true;
                else if (c == ';') inReference = false;
                else if (!inReference && char.IsAsciiLetterOrDigit(c)) positions.Add(i);
            }
        }
        return positions;
    }

    /// <summary>Start tags in [from, to): (offset, name, attributes text, self-closing).</summary>
    public static List<(int At, int Length, string Name, string Attributes, bool Empty)> StartTags(string xml, int from, int to)
    {
        var tags = new List<(int, int, string, string, bool)>();
        foreach (Match tag in StartTag().Matches(xml[..to], from))
        {
            tags.Add((tag.Index, tag.Length, tag.Groups[1].Value, tag.Groups[2].Value, tag.Groups[3].Length > 0));
        }
        return tags;
    }

    public static List<(int At, int Length)> EndTags(string xml, int from, int to) =>
        EndTag().Matches(xml[..to], from).Select(m => (m.Index, m.Length)).ToList();

    public static string Insert(string xml, int at, string text) => xml[..at] + text + xml[at..];

    public static string Replace(string xml, int at, int length, string text) => xml[..at] + text + xml[(at + length)..];

    /// <summary>A letter or digit replaced by another of the same kind.</summary>
    public static string ChangeCharacter(string xml, int at, Random random)
    {
        var c = xml[at];
        var pool = char.IsAsciiDigit(c) ? "0123456789" : char.IsAsciiLetterUpper(c) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "abcdefghijklmnopqrstuvwxyz";
        // One draw whatever the character, so the edits after this one do not depend on the message's content.
        var other = pool[(pool.IndexOf(c) + 1 + random.Next(pool.Length - 1)) % pool.Length];
        return Replace(xml, at, 1, other.ToString());
    }

    [GeneratedRegex(@"<((?:[\w.-]+:)?)(BizMsgIdr|MsgId|EndToEndId|OrgnlEndToEndId|OrgnlInstrId|RtrId|CreDt|CreDtTm|AccptncDtTm|DtTm|RjctnDtTm|IntrBkSttlmDt|Id|Issr)>([^<]*)<")]
    private static partial Regex VolatileValue();

    /// <summary>The values samples draw fresh on every call (ids, times, account and document numbers) replaced by
    /// ones drawn from <paramref name="random"/>, so a seed gives the same messages.</summary>
    public static string Pin(string xml, Random random) => VolatileValue().Replace(xml, m =>
    {
        var value = m.Groups[3].Value;
        var pinned = m.Groups[2].Value switch
        {
            "BizMsgIdr" or "MsgId" when value.Length == 32 => value[..9] + Alphanumeric(random, 23),
            "EndToEndId" or "OrgnlEndToEndId" or "OrgnlInstrId" or "RtrId" when value.Length == 32 => value[..9] + "202601151234" + Alphanumeric(random, 11),
            "IntrBkSttlmDt" => "2026-01-15",
            "CreDt" or "CreDtTm" or "AccptncDtTm" or "DtTm" or "RjctnDtTm" => "2026-01-15T12:34:56.789Z",
            "Id" or "Issr" when value.Length is > 0 and not 8 && value.All(char.IsAsciiDigit) => Digits(random, value.Length),
            _ => value,
        };
        return "<" + m.Groups[1].Value + m.Groups[2].Value + ">" + pinned + "<";
    });

    private static string Alphanumeric(Random random, int count) =>
        new(random.GetItems("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".AsSpan(), count));

    private static string Digits(Random random, int count) => new(random.GetItems("0123456789".AsSpan(), count));

    /// <summary>A character written as a decimal or hexadecimal character reference.</summary>
    public static string AsReference(string xml, int at, Random random) =>
        Replace(xml, at, 1, random.Next(2) == 0 ? $"&#{(int)xml[at]};" : $"&#x{(int)xml[at]:X};");

    /// <summary>Every element of the message's namespace written with prefix <paramref name="prefix"/> (the
    /// default declaration becomes a prefixed one). Only for text without a signature (which keeps its own namespace).</summary>
    public static string Prefixed(string xml, string prefix)
    {
        var named = UnprefixedName().Replace(xml, m => "<" + m.Groups[1].Value + prefix + ":" + m.Groups[2].Value);
        return named.Replace("xmlns=\"https://www.bcb.gov.br/pi/", $"xmlns:{prefix}=\"https://www.bcb.gov.br/pi/", StringComparison.Ordinal);
    }

    /// <summary>The Envelope's namespace (from its default or prefixed declaration).</summary>
    public static string SpiNamespace(string xml)
    {
        var at = xml.IndexOf("\"https://www.bcb.gov.br/pi/", StringComparison.Ordinal) + 1;
        return xml[at..xml.IndexOf('"', at)];
    }

    /// <summary>An attribute added at the end of the start tag at <paramref name="tagAt"/>.</summary>
    public static string AddAttribute(string xml, int tagAt, string attribute)
    {
        var end = xml.IndexOf('>', tagAt);
        if (xml[end - 1] == '/') end--;
        while (char.IsWhiteSpace(xml[end - 1])) end--;
        return Insert(xml, end, " " + attribute);
    }

    /// <summary>The first and last attribute of a start tag swapped (the tag must have two or more).</summary>
    public static string SwapAttributes(string xml, (int At, int Length, string Name, string Attributes, bool Empty) tag)
    {
        var attributes = Regex.Matches(tag.Attributes, "\\s+([^\\s=]+\\s*=\\s*(\"[^\"]*\"|'[^']*'))").Select(m => m.Groups[1].Value).ToList();
        (attributes[0], attributes[^1]) = (attributes[^1], attributes[0]);
        var rebuilt = new StringBuilder("<").Append(tag.Name);
        foreach (var attribute in attributes) rebuilt.Append(' ').Append(attribute);
        rebuilt.Append(tag.Empty ? "/>" : ">");
        return Replace(xml, tag.At, tag.Length, rebuilt.ToString());
    }

    public static int AttributeCount(string attributes) => Regex.Matches(attributes, "=\\s*[\"']").Count;
}
