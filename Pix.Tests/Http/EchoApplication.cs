using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>
/// The application behind the layer in these tests: answers 200 with "METHOD path body-length" as text, so a test can
/// see which request a response belongs to. <c>/throw</c> throws; <c>/silent</c> writes nothing; <c>/slow</c> and <c>/slower</c> complete asynchronously;
/// <c>/large</c> answers 1 MiB of zeros.
/// </summary>
internal sealed class EchoApplication : IHttpApplication
{
    public ValueTask HandleAsync(HttpRequest request, HttpResponse response)
    {
        if (request.Path.SequenceEqual("/throw"u8)) throw new InvalidOperationException("test failure");
        if (request.Path.SequenceEqual("/silent"u8)) return ValueTask.CompletedTask;
        if (request.Path.SequenceEqual("/slow"u8)) return SlowAsync(request, response, 200);
        if (request.Path.SequenceEqual("/slower"u8)) return SlowAsync(request, response, 1500);
        if (request.Path.SequenceEqual("/large"u8))
        {
            response.Complete(200, "application/octet-stream"u8, Large);
            return ValueTask.CompletedTask;
        }
        Answer(request, response);
        return ValueTask.CompletedTask;
    }

    private static readonly byte[] Large = new byte[1024 * 1024];

    private static async ValueTask SlowAsync(HttpRequest request, HttpResponse response, int milliseconds)
    {
        await Task.Delay(milliseconds);
        Answer(request, response);
    }

    private static void Answer(HttpRequest request, HttpResponse response)
    {
        var text = $"{request.Method} {Encoding.ASCII.GetString(request.Path)} {request.Body.Length} {Encoding.ASCII.GetString(request.Body.Span)}";
        response.Complete(200, "text/plain"u8, Encoding.ASCII.GetBytes(text));
    }
}
