using System.Buffers;

namespace Pix.Protocol.Xml;

/// <summary>Writes character data into XML element content: escaped, stripped of bytes XML cannot carry, and cut at a
/// character count (on a UTF-8 boundary) so a value never breaks its Max<i>N</i>Text type.</summary>
internal static class XmlTextWriter
{
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> text, int maxChars)
    {
        var chars = 0;
        var start = 0;
        var i = 0;
        for (; i < text.Length; i++)
        {
            var b = text[i];
            if ((b & 0xC0) != 0x80 && ++chars > maxChars) break;
            var escape = Escape(b);
            if (escape.IsEmpty) continue;
            output.Write(text[start..i]);
            output.Write(escape);
            start = i + 1;
        }
        output.Write(text[start..i]);
    }

    // Control bytes and CR would not survive as themselves (CR is normalised away on reading): shown as '?' and ' '.
    private static ReadOnlySpan<byte> Escape(byte b) => b switch
    {
        (byte)'<' => "&lt;"u8,
        (byte)'>' => "&gt;"u8,
        (byte)'&' => "&amp;"u8,
        (byte)'\r' or (byte)'\n' or (byte)'\t' => " "u8,
        < 0x20 or 0x7F => "?"u8,
        _ => default,
    };
}
