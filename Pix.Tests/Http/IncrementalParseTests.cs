using System.Buffers;
using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>
/// What a slow sender costs the parser: bytes trickled one per read are examined a bounded number of times each (a
/// counter, not a timer, proves it), and the body buffer grows with the bytes that arrived, not with the length the
/// client announced.
/// </summary>
public sealed class IncrementalParseTests
{
    private static readonly HttpLimits Limits = new();

    public static TheoryData<string, string> TrickledRequests => new()
    {
        { "many short header lines", "GET /a HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-Pad-{i}: {i}\r\n")) + "\r\n" },
        { "one long header line", "GET /a HTTP/1.1\r\nHost: h\r\nX-Long: " + new string('v', 8000) + "\r\n\r\n" },
        { "a long request line", "GET /" + new string('p', 8000) + " HTTP/1.1\r\nHost: h\r\n\r\n" },
        { "a chunked body with long extensions and trailers", "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5;ext=" + new string('e', 900) + "\r\nhello\r\n0\r\nT: " + new string('t', 7000) + "\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(TrickledRequests))]
    public void ARequestTrickledOneBytePerReadCostsLinearWork(string shape, string raw)
    {
        var bytes = Encoding.ASCII.GetBytes(raw);
        var parser = new HttpRequestParser(Limits);
        var request = new HttpRequest();
        var start = 0;
        var status = ParseStatus.Incomplete;
        // Each read hands the parser what it left unconsumed plus one new byte, as a connection's pipe does.
        for (var end = 1; end <= bytes.Length && status == ParseStatus.Incomplete; end++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, start, end - start);
            status = parser.TryParse(buffer, request, out var consumed, out var error);
            Assert.True(status != ParseStatus.Error, $"{shape}: {error}");
            start += (int)buffer.Slice(0, consumed).Length;
        }
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(bytes.Length, start);
        // Re-parsing from the first byte on every read would examine about n²/2 bytes (over 16 million here).
        Assert.True(parser.BytesExamined <= 3L * bytes.Length, $"{shape}: {parser.BytesExamined} bytes examined for {bytes.Length} received");
    }

    [Fact]
    public void TheSameRequestWholeCostsAboutAsMuch()
    {
        var bytes = Encoding.ASCII.GetBytes("GET /a HTTP/1.1\r\nHost: h\r\nX-Long: " + new string('v', 8000) + "\r\n\r\n");
        var parser = new HttpRequestParser(Limits);
        Assert.Equal(ParseStatus.Complete, parser.TryParse(new ReadOnlySequence<byte>(bytes), new HttpRequest(), out _, out _));
        Assert.InRange(parser.BytesExamined, bytes.Length, 2L * bytes.Length);
    }

    [Fact]
    public void TheBodyBufferGrowsWithWhatArrivesNotWithWhatWasAnnounced()
    {
        var retained = new RetainedBuffers();
        var parser = new HttpRequestParser(Limits, retained);
        var request = new HttpRequest();
        var head = Encoding.ASCII.GetBytes("POST /in HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n0123456789");
        Assert.Equal(ParseStatus.Incomplete, parser.TryParse(new ReadOnlySequence<byte>(head), request, out _, out _));
        // 10 bytes of an announced mebibyte: the first buffer only.
        Assert.InRange(retained.Bytes, 10, 4096);

        var body = new byte[1024 * 1024 - 10];
        var sent = 0;
        var status = ParseStatus.Incomplete;
        while (status == ParseStatus.Incomplete)
        {
            var piece = Math.Min(64 * 1024, body.Length - sent);
            status = parser.TryParse(new ReadOnlySequence<byte>(body, sent, piece), request, out _, out _);
            sent += piece;
            // Never more than twice what arrived.
            Assert.True(retained.Bytes <= 2L * (10 + sent), $"{retained.Bytes} bytes held after {10 + sent} arrived");
        }
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(1024 * 1024, request.Body.Length);

        parser.ReleaseBuffers();
        Assert.Equal(0, retained.Bytes);
    }

    [Fact]
    public void AChunkAnnouncingAMebibyteDoesNotReserveIt()
    {
        var retained = new RetainedBuffers();
        var parser = new HttpRequestParser(Limits, retained);
        var bytes = Encoding.ASCII.GetBytes("POST /in HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\nabc");
        Assert.Equal(ParseStatus.Incomplete, parser.TryParse(new ReadOnlySequence<byte>(bytes), new HttpRequest(), out _, out _));
        Assert.InRange(retained.Bytes, 3, 4096);
    }

    [Fact]
    public void BuffersAreKeptMidRequestAndGivenBackBetweenRequests()
    {
        var retained = new RetainedBuffers();
        var parser = new HttpRequestParser(Limits, retained);
        var request = new HttpRequest();
        var first = Encoding.ASCII.GetBytes("POST /in HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc");
        Assert.Equal(ParseStatus.Incomplete, parser.TryParse(new ReadOnlySequence<byte>(first), request, out _, out _));
        parser.ReleaseBuffers();
        Assert.True(retained.Bytes > 0, "the body being received must stay");

        Assert.Equal(ParseStatus.Complete, parser.TryParse(new ReadOnlySequence<byte>("def"u8.ToArray()), request, out _, out _));
        Assert.Equal("abcdef", Encoding.ASCII.GetString(request.Body.Span));
        parser.ReleaseBuffers();
        Assert.Equal(0, retained.Bytes);
    }

    [Fact]
    public void ALineStraddlingSegmentsIsCopiedIntoAPooledBufferThatIsGivenBack()
    {
        var retained = new RetainedBuffers();
        var parser = new HttpRequestParser(Limits, retained);
        var bytes = Encoding.ASCII.GetBytes("GET /a HTTP/1.1\r\nHost: h\r\nX-Long: " + new string('v', 3000) + "\r\n\r\n");
        var request = new HttpRequest();
        Assert.Equal(ParseStatus.Complete, parser.TryParse(RequestParserTests.Segments(bytes, 512), request, out _, out _));
        Assert.True(retained.Bytes >= 3000);
        parser.ReleaseBuffers();
        Assert.Equal(0, retained.Bytes);
    }
}
