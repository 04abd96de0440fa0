namespace Pix.Server.Http;

/// <summary>
/// RFC 9110 8.6: Content-Length = 1*DIGIT. Parsed digit by digit because <c>long.TryParse</c> accepts a sign and
/// surrounding white space, and a list ("5, 5") is not a length.
/// </summary>
internal static class ContentLengthParser
{
    public static bool TryParse(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty) return false;
        foreach (var b in value)
        {
            var digit = (uint)(b - '0');
            if (digit > 9) return false;
            if (length > (long.MaxValue - digit) / 10) return false;
            length = length * 10 + digit;
        }
        return true;
    }
}
