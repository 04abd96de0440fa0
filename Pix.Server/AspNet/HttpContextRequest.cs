using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PixRequest = Pix.Server.Http.HttpRequest;
using Pix.Server.Http;

namespace Pix.Server.AspNet;

/// <summary>
/// Fills our <see cref="PixRequest"/> from an ASP.NET <see cref="HttpContext"/> after Kestrel parsed the request the
/// usual way (strings for path and headers, the body read from <c>Request.Body</c>), so the baseline pays what an
/// idiomatic app pays and the endpoint logic behind it is the same as in pipeline mode.
/// </summary>
internal static class HttpContextRequest
{
    public static async ValueTask<PixRequest> ReadAsync(HttpContext context)
    {
        var request = new PixRequest();
        request.Reset();
        var http = context.Request;
        request.Method = http.Method switch
        {
            "GET" => HttpMethodKind.Get,
            "POST" => HttpMethodKind.Post,
            "DELETE" => HttpMethodKind.Delete,
            _ => HttpMethodKind.Other,
        };
        request.SetTarget(Encoding.ASCII.GetBytes(http.Path.Value ?? "/"));
        Copy(request, KnownHeader.Accept, http.Headers.Accept);
        Copy(request, KnownHeader.AcceptEncoding, http.Headers.AcceptEncoding);
        Copy(request, KnownHeader.ContentEncoding, http.Headers.ContentEncoding);
        Copy(request, KnownHeader.ContentType, http.Headers.ContentType);
        request.Aborted = context.RequestAborted;
        // Kestrel treats an HTTP/1.1 request without either framing header as an empty body; ICOM wants 411 there.
        request.HasBodyFraming = http.ContentLength is not null || http.Headers.TransferEncoding.Count > 0;
        if (request.HasBodyFraming)
        {
            using var body = new MemoryStream(http.ContentLength is > 0 and < int.MaxValue ? (int)http.ContentLength.Value : 4096);
            await http.Body.CopyToAsync(body, context.RequestAborted);
            request.Body = body.GetBuffer().AsMemory(0, (int)body.Length);
        }
        return request;
    }

    private static void Copy(PixRequest request, KnownHeader header, StringValues values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value)) request.SetHeader(header, Encoding.ASCII.GetBytes(value));
        }
    }
}
