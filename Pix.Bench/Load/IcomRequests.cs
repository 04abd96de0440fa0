using System.Text;

namespace Pix.Bench.Load;

/// <summary>The request bytes the load generator sends, spelled as an ICOM client spells them.</summary>
internal static class IcomRequests
{
    public static byte[] Post(string ispb, string contentType, ReadOnlySpan<byte> body, bool gzip)
    {
        var head = $"POST /api/v1/in/{ispb}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: {contentType}\r\n"
            + (gzip ? "Content-Encoding: gzip\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n";
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var written = Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes.AsSpan(written));
        return bytes;
    }

    public static byte[] Get(string path, bool gzip) => Encoding.ASCII.GetBytes(
        $"GET {path} HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n" + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n");

    public static byte[] Start(string ispb, bool gzip) => Get($"/api/v1/out/{ispb}/stream/start", gzip);

    public static byte[] Delete(string path) => Encoding.ASCII.GetBytes($"DELETE {path} HTTP/1.1\r\nHost: pix\r\n\r\n");
}
