using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Pix.Tests.Support;

/// <summary>ICOM requests spelled out as raw HTTP/1.1 over one connection, and the multipart answers taken apart.</summary>
internal sealed partial class IcomClient(RawHttpConnection connection) : IDisposable
{
    private readonly RawHttpConnection _connection = connection;

    public IcomClient(int port) : this(new RawHttpConnection(port))
    {
    }

    public RawHttpConnection Connection => _connection;

    public Task<RawResponse> PostAsync(string ispb, string xml, string contentType = "application/xml; charset=utf-8") =>
        SendAsync("POST", $"/api/v1/in/{ispb}/msgs", Encoding.UTF8.GetBytes(xml), $"Content-Type: {contentType}\r\n");

    public Task<RawResponse> PostMultipartAsync(string ispb, IEnumerable<string> xmls, bool gzip = false)
    {
        var (body, contentType) = Multipart(xmls);
        var extra = $"Content-Type: {contentType}\r\n";
        if (gzip)
        {
            body = Gzip(body);
            extra += "Content-Encoding: gzip\r\n";
        }
        return SendAsync("POST", $"/api/v1/in/{ispb}/msgs", body, extra);
    }

    public Task<RawResponse> StartAsync(string ispb, bool multipart = true, string extraHeaders = "") =>
        SendAsync("GET", $"/api/v1/out/{ispb}/stream/start", null, (multipart ? "Accept: multipart/mixed\r\n" : "") + extraHeaders);

    public Task<RawResponse> GetAsync(string path, bool multipart = true, string extraHeaders = "") =>
        SendAsync("GET", path, null, (multipart ? "Accept: multipart/mixed\r\n" : "") + extraHeaders);

    public Task<RawResponse> DeleteAsync(string path) => SendAsync("DELETE", path, null, "");

    public async Task<RawResponse> SendAsync(string method, string path, byte[]? body, string extraHeaders, TimeSpan? timeout = null)
    {
        var head = $"{method} {path} HTTP/1.1\r\nHost: pix\r\n{extraHeaders}";
        if (body is not null) head += $"Content-Length: {body.Length}\r\n";
        var bytes = Encoding.ASCII.GetBytes(head + "\r\n");
        _connection.Send(body is null ? bytes : [.. bytes, .. body]);
        return await _connection.ReadAsync(timeout);
    }

    public static (byte[] Body, string ContentType) Multipart(IEnumerable<string> xmls)
    {
        const string boundary = "test-boundary-7d3f";
        var text = new StringBuilder();
        foreach (var xml in xmls)
        {
            text.Append("--").Append(boundary).Append("\r\nContent-Type: application/xml; charset=utf-8\r\n\r\n").Append(xml).Append("\r\n");
        }
        text.Append("--").Append(boundary).Append("--\r\n");
        return (Encoding.UTF8.GetBytes(text.ToString()), $"multipart/mixed; boundary={boundary}");
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>The (PI-ResourceId, XML) pairs of a 200 response, single or multipart; empty for 204.</summary>
    public static List<(string Id, string Xml)> Messages(RawResponse response)
    {
        if (response.Status == 204) return [];
        var body = response.Header("Content-Encoding") == "gzip" ? Gunzip(response.Body) : response.Body;
        var contentType = response.Header("Content-Type") ?? "";
        if (!contentType.StartsWith("multipart/mixed", StringComparison.Ordinal))
            return [(response.Header("PI-ResourceId")!, Encoding.UTF8.GetString(body))];
        var boundary = contentType[(contentType.IndexOf("boundary=", StringComparison.Ordinal) + 9)..];
        var text = Encoding.UTF8.GetString(body);
        var parts = new List<(string, string)>();
        foreach (var chunk in text.Split("--" + boundary))
        {
            if (chunk.StartsWith("--", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(chunk)) continue;
            var split = chunk.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var headers = chunk[..split];
            var xml = chunk[(split + 4)..];
            if (xml.EndsWith("\r\n", StringComparison.Ordinal)) xml = xml[..^2];
            parts.Add((ResourceIdHeader().Match(headers).Groups[1].Value, xml));
        }
        return parts;
    }

    public static string Tag(string xml) => TagText().Match(xml).Groups[1].Value;

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    [GeneratedRegex(@"PI-ResourceId: (\S+)")]
    private static partial Regex ResourceIdHeader();

    [GeneratedRegex(@"<Ustrd>tag ([^<]*)</Ustrd>")]
    private static partial Regex TagText();

    public void Dispose() => _connection.Dispose();
}
