using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>Compares the text of <c>X509SerialNumber</c> (an xs:integer: optional sign, leading zeros, surrounding
/// whitespace) with a serial number written as decimal digits.</summary>
internal static class SerialNumberText
{
    public static bool Matches(ReadOnlySpan<byte> text, ReadOnlySpan<byte> serial)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && XmlChars.IsWhitespace(text[start])) start++;
        while (end > start && XmlChars.IsWhitespace(text[end - 1])) end--;
        text = text[start..end];
        var negative = false;
        if (!text.IsEmpty && text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == '-';
            text = text[1..];
        }
        if (text.IsEmpty || text.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
        text = text.TrimStart((byte)'0');
        var expectedNegative = !serial.IsEmpty && serial[0] == '-';
        var digits = expectedNegative ? serial[1..] : serial;
        if (text.IsEmpty) return digits.SequenceEqual("0"u8);
        return negative == expectedNegative && text.SequenceEqual(digits);
    }
}
