using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pix.Server.AspNet;

/// <summary>
/// Copies a response that our <see cref="Http.HttpResponse"/> wrote (status line, headers, body, as HTTP/1.1 bytes)
/// into ASP.NET's <see cref="HttpResponse"/>: status code, header strings, then the body through
/// <c>BodyWriter</c>. Date, Server and Connection are Kestrel's business, so they are not copied.
/// </summary>
internal static class HttpContextResponse
{
    public static async ValueTask CopyAsync(int statusCode, ReadOnlyMemory<byte> written, HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        var headEnd = written.Span.IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(written.Span[..headEnd]);
        var body = written[(headEnd + 4)..];
        var lines = head.Split("\r\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':');
            var name = lines[i][..colon];
            var value = lines[i][(colon + 1)..].Trim();
            switch (name)
            {
                case "Date" or "Server" or "Connection":
                    break;
                case "Content-Length":
                    response.ContentLength = long.Parse(value);
                    break;
                case "Content-Type":
                    response.ContentType = value;
                    break;
                default:
                    response.Headers.Append(name, value);
                    break;
            }
        }
        if (!body.IsEmpty) await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }
}
