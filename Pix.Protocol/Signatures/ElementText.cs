using System.Runtime.CompilerServices;
using System.Text;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>The value of a signature element that holds text (DigestValue, SignatureValue, X509IssuerName,
/// X509SerialNumber), read as a DOM's InnerText would be: text and CDATA joined, comments left out. Stack buffers are
/// not zeroed first: each is written before it is read.</summary>
[SkipLocalsInit]
internal static class ElementText
{
    public const int MaxBase64Chars = 2048;

    /// <summary>References expanded, line ends normalized; false when it does not fit <paramref name="destination"/>.</summary>
    public static bool Decode(ReadOnlySpan<byte> xml, in ByteRange content, Span<byte> destination, out int length)
    {
        length = 0;
        var tokens = new XmlTokenizer(xml[..content.End], content.Start);
        while (true)
        {
            switch (tokens.Next())
            {
                case XmlTokenKind.Text:
                    if (!TextDecoder.Append(xml[tokens.TextStart..tokens.TextEnd], references: true, destination, ref length)) return false;
                    break;
                case XmlTokenKind.CData:
                    if (!TextDecoder.Append(xml[tokens.TextStart..tokens.TextEnd], references: false, destination, ref length)) return false;
                    break;
                case XmlTokenKind.End:
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Base64 as SignedXml reads DigestValue and SignatureValue: every whitespace character removed, then
    /// <see cref="Convert"/>'s decoder (which, unlike System.Buffers.Text.Base64, ignores bits after the last byte).</summary>
    public static bool DecodeBase64(ReadOnlySpan<byte> xml, in ByteRange content, Span<byte> destination, out int written)
    {
        written = 0;
        var size = content.End - content.Start;
        if (size > MaxBase64Chars) return false;
        Span<byte> text = stackalloc byte[size];
        if (!Decode(xml, content, text, out var length)) return false;
        Span<char> chars = stackalloc char[length];
        var count = Encoding.UTF8.GetChars(text[..length], chars);
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (!char.IsWhiteSpace(chars[i])) chars[kept++] = chars[i];
        }
        return Convert.TryFromBase64Chars(chars[..kept], destination, out written);
    }
}
