using System.Buffers;
using System.Runtime.CompilerServices;

namespace Pix.Server.Http;

/// <summary>The byte classes of RFC 9110/9112 and RFC 3986 the parser checks against (vectorised searches).</summary>
internal static class HttpCharacters
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>RFC 9110 5.6.2 tchar: what a method, a header name, a coding or an extension name is made of.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Ascii(Alphanumeric + "!#$%&'*+-.^_`|~"));

    /// <summary>Bytes a field value may not hold: CTLs other than HTAB, and DEL (RFC 9110 5.5). obs-text is allowed.</summary>
    public static readonly SearchValues<byte> InvalidFieldValue = SearchValues.Create(InvalidFieldValueBytes());

    /// <summary>RFC 3986 pchar plus '/' and '?': unreserved, sub-delims, ':', '@', and '%' (checked for two hex digits).</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(Ascii(Alphanumeric + "-._~!$&'()*+,;=:@/?%"));

    /// <summary>RFC 3986 authority without userinfo: reg-name, IPv4, IP-literal in brackets, and a port.</summary>
    public static readonly SearchValues<byte> Authority = SearchValues.Create(Ascii(Alphanumeric + "-._~!$&'()*+,;=:%[]"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    public static bool IsToken(ReadOnlySpan<byte> span) => !span.IsEmpty && !span.ContainsAnyExcept(Token);

    public static bool IsFieldValue(ReadOnlySpan<byte> span) => !span.ContainsAny(InvalidFieldValue);

    /// <summary>Trims RFC 9110 OWS (SP and HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span) => span.Trim(" \t"u8);

    /// <summary>Target or authority bytes are all in <paramref name="allowed"/> and every '%' has two hex digits.</summary>
    public static bool IsUriPart(ReadOnlySpan<byte> span, SearchValues<byte> allowed)
    {
        if (span.ContainsAnyExcept(allowed)) return false;
        for (var i = span.IndexOf((byte)'%'); i >= 0; i = NextPercent(span, i + 3))
        {
            if (i + 2 >= span.Length || HexValue(span[i + 1]) < 0 || HexValue(span[i + 2]) < 0) return false;
        }
        return true;
    }

    private static int NextPercent(ReadOnlySpan<byte> span, int from)
    {
        if (from >= span.Length) return -1;
        var i = span[from..].IndexOf((byte)'%');
        return i < 0 ? -1 : from + i;
    }

    private static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private static byte[] InvalidFieldValueBytes()
    {
        var bytes = new List<byte>();
        for (var b = 0; b < 0x20; b++) if (b != '\t') bytes.Add((byte)b);
        bytes.Add(0x7F);
        return bytes.ToArray();
    }
}
