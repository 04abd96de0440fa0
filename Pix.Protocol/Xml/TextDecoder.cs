using System.Text;

namespace Pix.Protocol.Xml;

/// <summary>Turns raw character data into its XML value: references replaced, line ends normalised to LF.</summary>
internal static class TextDecoder
{
    /// <summary>Appends the decoded value of <paramref name="raw"/> to <paramref name="destination"/> at <paramref name="length"/>;
    /// false when it does not fit. <paramref name="references"/> is false for CDATA.</summary>
    public static bool Append(ReadOnlySpan<byte> raw, bool references, Span<byte> destination, ref int length)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var b = raw[i];
            if (length >= destination.Length) return false;
            if (b == '\r')
            {
                destination[length++] = (byte)'\n';
                i += i + 1 < raw.Length && raw[i + 1] == '\n' ? 2 : 1;
            }
            else if (b == '&' && references)
            {
                var n = XmlChars.ReadReference(raw[i..], out var codePoint, out _);
                if (n == 0 || !new Rune(codePoint).TryEncodeToUtf8(destination[length..], out var written)) return false;
                length += written;
                i += n;
            }
            else
            {
                destination[length++] = b;
                i++;
            }
        }
        return true;
    }

    /// <summary>Attribute value normalisation (XML 1.0 §3.3.3, CDATA type): literal TAB, CR, LF become spaces.</summary>
    public static bool AppendAttribute(ReadOnlySpan<byte> raw, Span<byte> destination, out int length)
    {
        length = 0;
        var i = 0;
        while (i < raw.Length)
        {
            if (length >= destination.Length) return false;
            var b = raw[i];
            if (b == '&')
            {
                var n = XmlChars.ReadReference(raw[i..], out var codePoint, out _);
                if (n == 0 || !new Rune(codePoint).TryEncodeToUtf8(destination[length..], out var written)) return false;
                length += written;
                i += n;
                continue;
            }
            if (b == '\r' && i + 1 < raw.Length && raw[i + 1] == '\n') i++;
            destination[length++] = XmlChars.IsWhitespace(b) ? (byte)' ' : b;
            i++;
        }
        return true;
    }

    /// <summary>True when the raw text is only whitespace, references included (e.g. <c>&amp;#32;</c>).</summary>
    public static bool IsWhitespace(ReadOnlySpan<byte> raw, bool references)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var b = raw[i];
            if (b == '&' && references)
            {
                var n = XmlChars.ReadReference(raw[i..], out var codePoint, out _);
                if (n == 0 || codePoint is not (' ' or '\t' or '\n' or '\r')) return false;
                i += n;
                continue;
            }
            if (!XmlChars.IsWhitespace(b)) return false;
            i++;
        }
        return true;
    }
}
