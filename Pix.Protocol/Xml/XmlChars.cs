using System.Buffers;
using System.Runtime.CompilerServices;

namespace Pix.Protocol.Xml;

/// <summary>Byte classes and reference decoding for XML 1.0 over UTF-8.</summary>
internal static class XmlChars
{
    // C0 controls other than TAB, LF and CR are never allowed in XML 1.0, not even as references.
    public static readonly SearchValues<byte> ForbiddenControls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    // Names are checked on bytes: ASCII per the XML rules, any non-ASCII byte accepted (the UTF-8 is already valid,
    // and no SPI element name is non-ASCII, so such a name fails the schema check anyway).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNameStart(byte b) => (uint)((b | 0x20) - 'a') <= 25 || b == '_' || b >= 0x80;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNameChar(byte b) => IsNameStart(b) || (uint)(b - '0') <= 9 || b == '.' || b == '-';

    public static bool IsXmlChar(int c) =>
        c is 0x9 or 0xA or 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);

    /// <summary>Reads the reference starting at <paramref name="text"/>[0] == '&amp;'. Returns its length including ';'
    /// and the code point it stands for, or 0 when it is not one of the five predefined entities or a valid character reference.</summary>
    public static int ReadReference(ReadOnlySpan<byte> text, out int codePoint, out CheckRule error)
    {
        codePoint = 0;
        error = CheckRule.EntityReference;
        var end = text.Slice(0, Math.Min(text.Length, 12)).IndexOf((byte)';');
        if (end < 2) return 0;
        var body = text[1..end];
        if (body[0] == '#')
        {
            error = CheckRule.CharacterReference;
            var hex = body.Length > 1 && body[1] == 'x';
            var digits = body[(hex ? 2 : 1)..];
            if (digits.IsEmpty) return 0;
            var value = 0;
            foreach (var d in digits)
            {
                int v;
                if ((uint)(d - '0') <= 9) v = d - '0';
                else if (hex && (uint)((d | 0x20) - 'a') <= 5) v = (d | 0x20) - 'a' + 10;
                else return 0;
                value = value * (hex ? 16 : 10) + v;
                if (value > 0x10FFFF) return 0;
            }
            if (!IsXmlChar(value)) return 0;
            codePoint = value;
            return end + 1;
        }
        codePoint = body switch
        {
            _ when body.SequenceEqual("lt"u8) => '<',
            _ when body.SequenceEqual("gt"u8) => '>',
            _ when body.SequenceEqual("amp"u8) => '&',
            _ when body.SequenceEqual("apos"u8) => '\'',
            _ when body.SequenceEqual("quot"u8) => '"',
            _ => -1,
        };
        return codePoint < 0 ? 0 : end + 1;
    }

    /// <summary>Reads a QName at <paramref name="pos"/>; returns its length (0 if none) and where its colon is (-1 if none).</summary>
    public static int ReadQName(ReadOnlySpan<byte> xml, int pos, out int colon)
    {
        colon = -1;
        if (pos >= xml.Length || !IsNameStart(xml[pos])) return 0;
        var i = pos + 1;
        while (i < xml.Length)
        {
            var b = xml[i];
            if (b == ':')
            {
                if (colon >= 0 || i + 1 >= xml.Length || !IsNameStart(xml[i + 1])) return 0;
                colon = i - pos;
            }
            else if (!IsNameChar(b)) break;
            i++;
        }
        return i - pos;
    }
}
