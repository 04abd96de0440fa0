using System.IO.Compression;
using System.Text;

namespace Pix.Bench.Load;

/// <summary>Builds a POST body: one XML message, or a multipart/mixed of up to ten, optionally gzipped.</summary>
internal static class BatchBody
{
    private const string Boundary = "pix-bench-7f3a";
    public const string MultipartType = "multipart/mixed; boundary=" + Boundary;
    public const string XmlType = "application/xml; charset=utf-8";

    public static (byte[] Body, string ContentType) Build(IReadOnlyList<byte[]> messages)
    {
        if (messages.Count == 1) return (messages[0], XmlType);
        using var body = new MemoryStream();
        foreach (var message in messages)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/xml; charset=utf-8\r\n\r\n"));
            body.Write(message);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return (body.ToArray(), MultipartType);
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    public static byte[] Gunzip(ReadOnlyMemory<byte> data)
    {
        using var input = new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
