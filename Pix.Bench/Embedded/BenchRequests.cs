using System.Text;

namespace Pix.Bench.Embedded;

/// <summary>The raw HTTP/1.1 requests the benchmarks send, built once; serials and tokens are patched in place.</summary>
internal static class BenchRequests
{
    public const string Boundary = "bench-boundary-5f0c2a";
    public static readonly string OutPath = "/api/v1/out/" + BenchMessages.Receiver + "/stream/";

    /// <summary>POST of one message (<paramref name="parts"/> = 0: a bare application/xml body) or of a multipart batch.</summary>
    public static byte[] Ingest(int parts)
    {
        var xml = Encoding.UTF8.GetString(BenchMessages.Pacs008());
        string body, contentType;
        if (parts == 0)
        {
            body = xml;
            contentType = "application/xml; charset=utf-8";
        }
        else
        {
            var text = new StringBuilder();
            for (var i = 0; i < parts; i++)
            {
                text.Append("--").Append(Boundary).Append("\r\nContent-Type: application/xml; charset=utf-8\r\n\r\n").Append(xml).Append("\r\n");
            }
            text.Append("--").Append(Boundary).Append("--\r\n");
            body = text.ToString();
            contentType = "multipart/mixed; boundary=" + Boundary;
        }
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = $"POST /api/v1/in/{BenchMessages.Sender}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: {contentType}\r\nContent-Length: {bodyBytes.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. bodyBytes];
    }

    public static byte[] Start() => Encoding.ASCII.GetBytes(
        $"GET {OutPath}start HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n");

    /// <summary>A GET or DELETE on a token; the token's 48 characters sit at <see cref="TokenOffset"/>, to be patched.</summary>
    public static byte[] OnToken(string method) => Encoding.ASCII.GetBytes(
        $"{method} {OutPath}{new string('A', Pix.Protocol.Streams.PullTokenCodec.TextLength)} HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n");

    public static int TokenOffset(string method) => method.Length + 1 + OutPath.Length;
}
