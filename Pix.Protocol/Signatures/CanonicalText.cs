using System.Buffers;
using System.Text;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Character data as C14N writes it (XML-C14N 1.0 §2.3), straight from the raw bytes of a well-formed message:
/// references expanded, line ends normalized, then the few characters C14N escapes escaped.
/// <para>
/// <c>reparse</c> mimics what .NET's <c>SignedXml</c> does before canonicalizing the whole document, a referenced Id
/// or SignedInfo: it serializes the element to text and parses that again. The round trip turns a CR that came from a
/// character reference in text into LF (a CR LF pair into one LF), and a TAB from a reference in an attribute value
/// into a space. Every other character survives it. The reference without URI (the Document) is canonicalized
/// without the round trip, as its digest is taken by <c>XmlDsigExcC14NTransform</c> on the element itself.
/// </para>
/// </summary>
internal static class CanonicalText
{
    private static readonly SearchValues<byte> TextSpecials = SearchValues.Create("&>\r"u8);
    private static readonly SearchValues<byte> CDataSpecials = SearchValues.Create("&<>\r"u8);
    private static readonly SearchValues<byte> AttributeSpecials = SearchValues.Create("&\"\t\n\r"u8);

    /// <summary>One text token (between two pieces of markup: a comment splits text in two).</summary>
    public static bool WriteText(ref DigestSink sink, ReadOnlySpan<byte> raw, bool reparse)
    {
        var pendingCr = false;
        var i = 0;
        while (i < raw.Length)
        {
            var run = raw[i..].IndexOfAny(TextSpecials);
            if (run != 0)
            {
                var plain = run < 0 ? raw[i..] : raw.Slice(i, run);
                if (pendingCr) ResolveCr(ref sink, ref pendingCr, plain[0] == '\n');
                sink.Write(plain);
                if (run < 0) break;
                i += run;
            }
            var b = raw[i];
            if (b == '>')
            {
                if (pendingCr) ResolveCr(ref sink, ref pendingCr, nextIsLf: false);
                sink.Write("&gt;"u8);
                i++;
            }
            else if (b == '\r')
            {
                // A literal CR LF or lone CR is one LF once parsed.
                if (i + 1 < raw.Length && raw[i + 1] == '\n')
                {
                    i++;
                    continue;
                }
                if (pendingCr) ResolveCr(ref sink, ref pendingCr, nextIsLf: true);
                sink.Write((byte)'\n');
                i++;
            }
            else
            {
                var length = XmlChars.ReadReference(raw[i..], out var codePoint, out _);
                if (length == 0) return false;
                i += length;
                if (pendingCr) ResolveCr(ref sink, ref pendingCr, codePoint == '\n');
                switch (codePoint)
                {
                    case '&':
                        sink.Write("&amp;"u8);
                        break;
                    case '<':
                        sink.Write("&lt;"u8);
                        break;
                    case '>':
                        sink.Write("&gt;"u8);
                        break;
                    case '\r' when reparse:
                        pendingCr = true;
                        break;
                    case '\r':
                        sink.Write("&#xD;"u8);
                        break;
                    default:
                        WriteCodePoint(ref sink, codePoint);
                        break;
                }
            }
        }
        if (pendingCr) sink.Write((byte)'\n');
        return true;
    }

    /// <summary>A CDATA section's content: C14N writes it as text.</summary>
    public static void WriteCData(ref DigestSink sink, ReadOnlySpan<byte> raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var run = raw[i..].IndexOfAny(CDataSpecials);
            if (run < 0)
            {
                sink.Write(raw[i..]);
                return;
            }
            sink.Write(raw.Slice(i, run));
            i += run;
            switch (raw[i])
            {
                case (byte)'&':
                    sink.Write("&amp;"u8);
                    break;
                case (byte)'<':
                    sink.Write("&lt;"u8);
                    break;
                case (byte)'>':
                    sink.Write("&gt;"u8);
                    break;
                default:
                    if (i + 1 >= raw.Length || raw[i + 1] != '\n') sink.Write((byte)'\n');
                    break;
            }
            i++;
        }
    }

    /// <summary>An attribute value, normalized as XML 1.0 §3.3.3 does for CDATA attributes, then escaped.</summary>
    public static bool WriteAttributeValue(ref DigestSink sink, ReadOnlySpan<byte> raw, bool reparse)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var run = raw[i..].IndexOfAny(AttributeSpecials);
            if (run < 0)
            {
                sink.Write(raw[i..]);
                return true;
            }
            sink.Write(raw.Slice(i, run));
            i += run;
            var b = raw[i];
            if (b == '"')
            {
                sink.Write("&quot;"u8);
                i++;
            }
            else if (b == '&')
            {
                var length = XmlChars.ReadReference(raw[i..], out var codePoint, out _);
                if (length == 0) return false;
                i += length;
                WriteAttributeCodePoint(ref sink, codePoint, reparse);
            }
            else
            {
                // Literal TAB, LF, CR become a space; a literal CR LF is one line end, hence one space.
                if (b == '\r' && i + 1 < raw.Length && raw[i + 1] == '\n') i++;
                sink.Write((byte)' ');
                i++;
            }
        }
        return true;
    }

    /// <summary>A processing instruction: <c>&lt;?target data?&gt;</c>, the data without its leading whitespace.</summary>
    public static void WriteProcessingInstruction(ref DigestSink sink, ReadOnlySpan<byte> target, ReadOnlySpan<byte> data)
    {
        sink.Write("<?"u8);
        sink.Write(target);
        var start = 0;
        while (start < data.Length && XmlChars.IsWhitespace(data[start])) start++;
        if (start < data.Length)
        {
            sink.Write((byte)' ');
            WriteNormalizedLineEnds(ref sink, data[start..]);
        }
        sink.Write("?>"u8);
    }

    private static void WriteNormalizedLineEnds(ref DigestSink sink, ReadOnlySpan<byte> raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var cr = raw[i..].IndexOf((byte)'\r');
            if (cr < 0)
            {
                sink.Write(raw[i..]);
                return;
            }
            sink.Write(raw.Slice(i, cr));
            i += cr;
            if (i + 1 >= raw.Length || raw[i + 1] != '\n') sink.Write((byte)'\n');
            i++;
        }
    }

    private static void WriteAttributeCodePoint(ref DigestSink sink, int codePoint, bool reparse)
    {
        switch (codePoint)
        {
            case '&':
                sink.Write("&amp;"u8);
                break;
            case '<':
                sink.Write("&lt;"u8);
                break;
            case '"':
                sink.Write("&quot;"u8);
                break;
            case '\t':
                if (reparse) sink.Write((byte)' ');
                else sink.Write("&#x9;"u8);
                break;
            case '\n':
                sink.Write("&#xA;"u8);
                break;
            case '\r':
                sink.Write("&#xD;"u8);
                break;
            default:
                WriteCodePoint(ref sink, codePoint);
                break;
        }
    }

    /// <summary>A CR pending in reparse mode becomes LF, or disappears into the LF right after it.</summary>
    private static void ResolveCr(ref DigestSink sink, ref bool pendingCr, bool nextIsLf)
    {
        if (!nextIsLf) sink.Write((byte)'\n');
        pendingCr = false;
    }

    private static void WriteCodePoint(ref DigestSink sink, int codePoint)
    {
        Span<byte> utf8 = stackalloc byte[4];
        new Rune(codePoint).TryEncodeToUtf8(utf8, out var written);
        sink.Write(utf8[..written]);
    }
}
