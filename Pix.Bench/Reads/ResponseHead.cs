using System.Buffers.Text;
using System.Text;

namespace Pix.Bench.Reads;

/// <summary>
/// What the read loop needs from a response head, parsed on its bytes: the status, the body's length, where the
/// <c>PI-Pull-Next</c> value sits, and where the multipart boundary sits. Nothing is copied or decoded to text.
/// </summary>
internal struct ResponseHead
{
    public int Status;
    public int ContentLength;
    public Range PullNext;
    public Range Boundary;
    public bool Close;

    private static ReadOnlySpan<byte> ContentLengthName => "content-length"u8;
    private static ReadOnlySpan<byte> PullNextName => "pi-pull-next"u8;
    private static ReadOnlySpan<byte> ContentTypeName => "content-type"u8;
    private static ReadOnlySpan<byte> ConnectionName => "connection"u8;
    private static ReadOnlySpan<byte> TransferEncodingName => "transfer-encoding"u8;
    private static ReadOnlySpan<byte> BoundaryParameter => "boundary="u8;

    /// <summary>Parses <paramref name="head"/> (status line and header lines, without the blank line).</summary>
    public static ResponseHead Parse(ReadOnlySpan<byte> head)
    {
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
            throw new IOException($"Not an HTTP/1.1 status line: {Encoding.ASCII.GetString(head[..Math.Min(40, head.Length)])}");
        var parsed = new ResponseHead { Status = status };
        var at = head.IndexOf("\r\n"u8);
        while (at >= 0)
        {
            var start = at + 2;
            var length = head[start..].IndexOf("\r\n"u8);
            var line = length < 0 ? head[start..] : head.Slice(start, length);
            parsed.Header(line, start);
            at = length < 0 ? -1 : start + length;
        }
        return parsed;
    }

    private void Header(ReadOnlySpan<byte> line, int offset)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = line[..colon];
        var valueStart = colon + 1;
        while (valueStart < line.Length && line[valueStart] == (byte)' ') valueStart++;
        var value = line[valueStart..];
        var range = new Range(offset + valueStart, offset + line.Length);
        if (Ascii.EqualsIgnoreCase(name, ContentLengthName))
        {
            if (!Utf8Parser.TryParse(value, out ContentLength, out _)) throw new IOException("Bad Content-Length.");
        }
        else if (Ascii.EqualsIgnoreCase(name, PullNextName))
        {
            PullNext = range;
        }
        else if (Ascii.EqualsIgnoreCase(name, ContentTypeName))
        {
            var at = value.IndexOf(BoundaryParameter);
            if (at >= 0) Boundary = new Range(range.Start.Value + at + BoundaryParameter.Length, range.End);
        }
        else if (Ascii.EqualsIgnoreCase(name, ConnectionName))
        {
            Close = Ascii.EqualsIgnoreCase(value, "close"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, TransferEncodingName))
        {
            throw new IOException("Chunked responses are not expected from Pix.");
        }
    }
}
