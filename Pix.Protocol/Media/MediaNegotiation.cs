namespace Pix.Protocol.Media;

/// <summary>Reads the few media-type facts ICOM needs from header values, on bytes and case-insensitively.</summary>
public static class MediaNegotiation
{
    /// <summary><c>multipart/mixed</c> wins when listed (with q &gt; 0); then <c>application/xml</c>, <c>application/*</c>
    /// or <c>*/*</c> give a single message; an absent or empty Accept means single too.</summary>
    public static ResponseMode Choose(ReadOnlySpan<byte> accept)
    {
        if (accept.Trim(" \t"u8).IsEmpty) return ResponseMode.Single;
        var mode = ResponseMode.NotAcceptable;
        foreach (var range in accept.Split((byte)','))
        {
            var item = accept[range];
            var semicolon = item.IndexOf((byte)';');
            var type = (semicolon < 0 ? item : item[..semicolon]).Trim(" \t"u8);
            if (semicolon >= 0 && HasZeroQuality(item[(semicolon + 1)..])) continue;
            if (type.EqualsIgnoreCase("multipart/mixed"u8)) return ResponseMode.Multipart;
            if (type.EqualsIgnoreCase("application/xml"u8) || type.EqualsIgnoreCase("*/*"u8) || type.EqualsIgnoreCase("application/*"u8))
            {
                mode = ResponseMode.Single;
            }
        }
        return mode;
    }

    /// <summary>True when <c>gzip</c> is listed in Accept-Encoding without <c>q=0</c>.</summary>
    public static bool AcceptsGzip(ReadOnlySpan<byte> acceptEncoding)
    {
        foreach (var range in acceptEncoding.Split((byte)','))
        {
            var item = acceptEncoding[range];
            var semicolon = item.IndexOf((byte)';');
            var coding = (semicolon < 0 ? item : item[..semicolon]).Trim(" \t"u8);
            if (coding.EqualsIgnoreCase("gzip"u8)) return semicolon < 0 || !HasZeroQuality(item[(semicolon + 1)..]);
        }
        return false;
    }

    /// <summary>The media type before any parameter, trimmed.</summary>
    public static ReadOnlySpan<byte> MediaType(ReadOnlySpan<byte> contentType)
    {
        var semicolon = contentType.IndexOf((byte)';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim(" \t"u8);
    }

    /// <summary>The value of one parameter (<c>boundary</c>, <c>charset</c>), unquoted; empty when absent.</summary>
    public static ReadOnlySpan<byte> Parameter(ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> name)
    {
        var semicolon = contentType.IndexOf((byte)';');
        if (semicolon < 0) return default;
        var parameters = contentType[(semicolon + 1)..];
        foreach (var range in parameters.Split((byte)';'))
        {
            var item = parameters[range].Trim(" \t"u8);
            var equals = item.IndexOf((byte)'=');
            if (equals <= 0 || !item[..equals].Trim(" \t"u8).EqualsIgnoreCase(name)) continue;
            var value = item[(equals + 1)..].Trim(" \t"u8);
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            return value;
        }
        return default;
    }

    /// <summary>A charset parameter, when present, must be UTF-8 (ICOM: 400 charset otherwise).</summary>
    public static bool CharsetIsUtf8OrAbsent(ReadOnlySpan<byte> contentType)
    {
        var charset = Parameter(contentType, "charset"u8);
        return charset.IsEmpty || charset.EqualsIgnoreCase("utf-8"u8) || charset.EqualsIgnoreCase("utf8"u8);
    }

    private static bool HasZeroQuality(ReadOnlySpan<byte> parameters)
    {
        foreach (var range in parameters.Split((byte)';'))
        {
            var item = parameters[range].Trim(" \t"u8);
            if (item.Length >= 2 && (item[0] | 0x20) == 'q' && item[1] == '=')
            {
                var value = item[2..].Trim(" \t"u8);
                foreach (var b in value)
                {
                    if (b is >= (byte)'1' and <= (byte)'9') return false;
                }
                return true;
            }
        }
        return false;
    }

    public static bool EqualsIgnoreCase(this ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        System.Text.Ascii.EqualsIgnoreCase(left, right);
}
