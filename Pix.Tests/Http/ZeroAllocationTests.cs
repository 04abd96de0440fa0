using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>
/// Parsing and framing allocate nothing per request once a connection's buffers have grown: the parse is warmed up
/// (the JIT and the buffers allocate), then the same work is bracketed with the current thread's allocation counter.
/// </summary>
public sealed class ZeroAllocationTests
{
    private static readonly byte[] Pipelined = Encoding.ASCII.GetBytes(
        "GET /api/v1/out/12345678/stream/start HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\nUser-Agent: psp\r\nX-Extra: 1\r\n\r\n" +
        "POST /api/v1/in/12345678/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: application/xml; charset=utf-8\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\n<Envelope>" +
        "POST /api/v1/in/12345678/msgs HTTP/1.1\r\nHost: pix\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n<Enve\r\n5\r\nlope>\r\n0\r\nT: v\r\n\r\n" +
        "DELETE /api/v1/out/12345678/stream/abc HTTP/1.1\r\nHost: pix\r\nConnection: close\r\n\r\n");

    [Fact]
    public void ParsingABufferOfPipelinedRequestsDoesNotAllocate()
    {
        var parser = new HttpRequestParser(new HttpLimits());
        var request = new HttpRequest();
        var single = new ReadOnlySequence<byte>(Pipelined);
        // Segments of 37 bytes: every head straddles segments and goes through the copy path.
        var segmented = RequestParserTests.Segments(Pipelined, 37);

        Assert.Equal(4, ParseAll(parser, request, single));
        Assert.Equal(4, ParseAll(parser, request, segmented));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var parsed = 0;
        for (var i = 0; i < 100; i++)
        {
            parsed += ParseAll(parser, request, single);
            parsed += ParseAll(parser, request, segmented);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(800, parsed);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WritingResponsesAndProblemsDoesNotAllocate()
    {
        using var date = new DateHeader();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var response = new HttpResponse { Date = date };
        var problems = new Pix.Protocol.Problems.ProblemXmlWriter();
        WriteAndDrain(pipe, response, problems);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) WriteAndDrain(pipe, response, problems);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task AConnectionServingPipelinedRequestsDoesNotAllocate()
    {
        using var date = new DateHeader();
        var connection = new InMemoryConnection();
        var handler = new HttpConnectionHandler(new FixedApplication(), new HttpLimits(), new Pix.Protocol.Problems.ProblemXmlWriter(),
            date, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var run = handler.OnConnectionAsync(connection);
        var batch = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Pipelined).Replace("Connection: close\r\n", ""));

        for (var i = 0; i < 3; i++) Assert.Equal(4, Exchange(connection, batch));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var answered = 0;
        for (var i = 0; i < 100; i++) answered += Exchange(connection, batch);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(400, answered);
        Assert.Equal(0, allocated);
        await connection.Client.Output.CompleteAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Writes one batch; the inline pipes run the connection loop right here. Returns the responses seen.</summary>
    private static int Exchange(InMemoryConnection connection, byte[] batch)
    {
        var output = connection.Client.Output;
        batch.CopyTo(output.GetSpan(batch.Length));
        output.Advance(batch.Length);
        _ = output.FlushAsync().GetAwaiter().GetResult();
        Assert.True(connection.Client.Input.TryRead(out var result));
        var count = 0;
        foreach (var segment in result.Buffer)
        {
            var span = segment.Span;
            for (var i = span.IndexOf("HTTP/1.1 200"u8); i >= 0; i = span.IndexOf("HTTP/1.1 200"u8))
            {
                count++;
                span = span[(i + 1)..];
            }
        }
        connection.Client.Input.AdvanceTo(result.Buffer.End);
        return count;
    }

    private sealed class FixedApplication : IHttpApplication
    {
        public ValueTask HandleAsync(HttpRequest request, HttpResponse response)
        {
            response.Complete(200, "text/plain"u8, "ok"u8);
            return ValueTask.CompletedTask;
        }
    }

    private static int ParseAll(HttpRequestParser parser, HttpRequest request, ReadOnlySequence<byte> buffer)
    {
        var count = 0;
        while (parser.TryParse(buffer, request, out var consumed, out _) == ParseStatus.Complete)
        {
            count++;
            buffer = buffer.Slice(consumed);
        }
        return count;
    }

    private static void WriteAndDrain(Pipe pipe, HttpResponse response, Pix.Protocol.Problems.ProblemXmlWriter problems)
    {
        response.Bind(pipe.Writer);
        response.Complete(200, "application/xml"u8, "<Envelope/>"u8);
        response.Bind(pipe.Writer);
        response.CloseConnection = true;
        response.Start(400);
        response.Header("Content-Type"u8, Pix.Protocol.Problems.ProblemXmlWriter.ContentType);
        response.EndHeaders(problems.Measure(Pix.Protocol.Problems.Problem.BadRequest, "detail"u8));
        problems.Write(response, Pix.Protocol.Problems.Problem.BadRequest, "detail"u8);
        _ = pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        pipe.Reader.TryRead(out var result);
        pipe.Reader.AdvanceTo(result.Buffer.End);
    }
}
