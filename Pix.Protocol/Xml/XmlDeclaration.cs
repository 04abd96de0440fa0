namespace Pix.Protocol.Xml;

/// <summary>The XML declaration's pseudo-attributes.</summary>
internal static class XmlDeclaration
{
    /// <summary>Checks the pseudo-attributes of <c>&lt;?xml ...?&gt;</c>: version 1.0, then optional encoding (reported
    /// as UTF-8 or not) and standalone, in that order.</summary>
    public static bool IsValid(ReadOnlySpan<byte> body, out bool utf8)
    {
        utf8 = true;
        var i = 0;
        var seenVersion = false;
        var order = 0;
        while (true)
        {
            var spaced = false;
            while (i < body.Length && XmlChars.IsWhitespace(body[i]))
            {
                i++;
                spaced = true;
            }
            if (i >= body.Length) return seenVersion;
            if (!spaced) return false;
            var nameLength = XmlChars.ReadQName(body, i, out _);
            var name = body.Slice(i, nameLength);
            i += nameLength;
            while (i < body.Length && XmlChars.IsWhitespace(body[i])) i++;
            if (i >= body.Length || body[i] != '=') return false;
            i++;
            while (i < body.Length && XmlChars.IsWhitespace(body[i])) i++;
            if (i >= body.Length || (body[i] != '"' && body[i] != '\'')) return false;
            var close = body[(i + 1)..].IndexOf(body[i]);
            if (close < 0) return false;
            var value = body.Slice(i + 1, close);
            i += close + 2;
            if (name.SequenceEqual("version"u8) && order == 0)
            {
                if (!value.SequenceEqual("1.0"u8)) return false;
                seenVersion = true;
                order = 1;
            }
            else if (name.SequenceEqual("encoding"u8) && order == 1)
            {
                utf8 = System.Text.Ascii.EqualsIgnoreCase(value, "UTF-8"u8);
                order = 2;
            }
            else if (name.SequenceEqual("standalone"u8) && order is 1 or 2)
            {
                if (!value.SequenceEqual("yes"u8) && !value.SequenceEqual("no"u8)) return false;
                order = 3;
            }
            else
            {
                return false;
            }
        }
    }
}
