using System.Text;

namespace Pix.Bench.Load;

/// <summary>Splits a multipart/mixed response body into its parts' content; enough for Pix's own writer.</summary>
internal static class MultipartBody
{
    public static int ForEachPart(ReadOnlyMemory<byte> body, string contentType, Action<ReadOnlyMemory<byte>> onPart)
    {
        var at = contentType.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase);
        var boundary = contentType[(at + 9)..].Trim('"');
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var count = 0;
        var rest = body;
        var start = rest.Span.IndexOf(delimiter);
        while (start >= 0)
        {
            rest = rest[(start + delimiter.Length)..];
            if (rest.Span.StartsWith("--"u8)) break;
            var headEnd = rest.Span.IndexOf("\r\n\r\n"u8);
            if (headEnd < 0) break;
            var content = rest[(headEnd + 4)..];
            var next = content.Span.IndexOf(delimiter);
            if (next < 0) break;
            // The CRLF before the next delimiter belongs to the delimiter.
            onPart(content[..Math.Max(0, next - 2)]);
            count++;
            rest = content;
            start = next;
        }
        return count;
    }
}
