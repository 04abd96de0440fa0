using System.IO.Pipelines;
using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>RFC 9110's framing rules kept by the response writer, whatever the application writes.</summary>
public sealed class ResponseFramingTests
{
    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void NoContentAndNotModifiedCarryNoContentLength(int status)
    {
        // RFC 9110 8.6: a server MUST NOT send Content-Length in a 204; a 304 has no body to measure.
        var text = Write(response =>
        {
            response.Start(status);
            response.Header("PI-Pull-Next"u8, "/next"u8);
            response.EndHeaders(0);
        });
        Assert.StartsWith($"HTTP/1.1 {status} ", text);
        Assert.DoesNotContain("Content-Length", text);
        Assert.EndsWith("PI-Pull-Next: /next\r\n\r\n", text);
    }

    [Fact]
    public void AnEmptyOkStillSaysItsLength()
    {
        var text = Write(response => response.Complete(200, default, default));
        Assert.EndsWith("Content-Length: 0\r\n\r\n", text);
    }

    [Fact]
    public void AHeadResponseSaysTheLengthButSendsNoBody()
    {
        // RFC 9110 9.3.2: the headers are those of GET, the body is never sent.
        var text = Write(response =>
        {
            response.OmitBody = true;
            response.Complete(200, "text/plain"u8, "hello"u8);
            Assert.Equal(0, response.BodyRemaining);
        });
        Assert.EndsWith("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n", text);
    }

    [Fact]
    public void AStagedHeadResponseCommitsOnlyItsHead()
    {
        // The batch writer stages head and body together; HEAD must still cut at the head.
        var text = Write(response =>
        {
            response.OmitBody = true;
            response.BeginStaged(1024);
            response.Start(200);
            response.EndHeaders(5);
            response.Write("hello"u8);
            response.CommitStaged();
        });
        Assert.EndsWith("Content-Length: 5\r\n\r\n", text);
    }

    [Fact]
    public void OmitBodyIsForgottenByTheNextResponse()
    {
        var pipe = new Pipe();
        using var date = new DateHeader();
        var response = new HttpResponse { Date = date };
        response.Bind(pipe.Writer);
        response.OmitBody = true;
        response.Complete(200, default, "head"u8);
        response.Bind(pipe.Writer);
        response.Complete(200, default, "get"u8);
        Assert.EndsWith("Content-Length: 3\r\n\r\nget", Drain(pipe));
    }

    private static string Write(Action<HttpResponse> write)
    {
        var pipe = new Pipe();
        using var date = new DateHeader();
        var response = new HttpResponse { Date = date };
        response.Bind(pipe.Writer);
        write(response);
        return Drain(pipe);
    }

    private static string Drain(Pipe pipe)
    {
        _ = pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        pipe.Writer.Complete();
        var result = pipe.Reader.ReadAsync().GetAwaiter().GetResult();
        var text = Encoding.ASCII.GetString(result.Buffer);
        pipe.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }
}
