using System.Buffers;
using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>The synchronous parser driven from in-memory sequences: tables of accepted and refused shapes.</summary>
public sealed class RequestParserTests
{
    private static readonly HttpLimits Limits = new() { MaxBodyBytes = 1024 * 1024 };

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", 0)]
    [InlineData("\r\nGET /x?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/x", 0)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "GET", "/", 0)]
    [InlineData("POST /in HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "POST", "/in", 5)]
    [InlineData("POST /in HTTP/1.1\r\nHost: a\r\nContent-Length:  005 \r\n\r\nhello", "POST", "/in", 5)]
    [InlineData("POST /in HTTP/1.1\r\nHost: a\r\nContent-Length:\t5\t\r\n\r\nhello", "POST", "/in", 5)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "POST", "/", 5)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n5;a=b;c\r\nhello\r\n6 ; d = \"q\\\"x\"\r\n world\r\n000\r\nVary: *\r\nX: y\r\n\r\n", "POST", "/", 11)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", "POST", "/", 10)]
    [InlineData("GET http://h.example:80?a=b HTTP/1.1\r\nHost: h.example\r\n\r\n", "GET", "/", 0)]
    [InlineData("GET https://h.example/p/q HTTP/1.1\r\nHost: h.example\r\n\r\n", "GET", "/p/q", 0)]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS", "*", 0)]
    [InlineData("GET /%41b HTTP/1.1\r\nHost: 0.0.0.0=5000\r\n|~: 1\r\nTest: D\u00fcsseldorf\r\n\r\n", "GET", "/%41b", 0)]
    public void ParsesValidRequests(string raw, string method, string path, int bodyLength)
    {
        var request = new HttpRequest();
        var status = Parse(raw, request, out var error, out var consumed);
        Assert.Equal(RequestError.None, error);
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(method, method == "OPTIONS" ? "OPTIONS" : request.Method.ToString().ToUpperInvariant());
        Assert.Equal(path, Encoding.ASCII.GetString(request.Path));
        Assert.Equal(bodyLength, request.Body.Length);
        Assert.Equal(Encoding.Latin1.GetByteCount(raw), consumed);
    }

    [Theory]
    // Request line
    [InlineData("GET / HTTP/1.1\rHost: a\r\n\r\n", RequestError.InvalidVersion)]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", RequestError.BareLineFeed)]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", RequestError.InvalidRequestLine)]
    [InlineData(" / HTTP/1.0\r\n\r\n", RequestError.InvalidMethod)]
    [InlineData("G\tT / HTTP/1.0\r\n\r\n", RequestError.InvalidMethod)]
    [InlineData("GET /\r\n\r\n", RequestError.InvalidRequestLine)]
    [InlineData("GET / ICE/1.0\r\n\r\n", RequestError.InvalidVersion)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", RequestError.UnsupportedVersion)]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", RequestError.InvalidVersion)]
    [InlineData("GET /\u007f HTTP/1.0\r\n\r\n", RequestError.InvalidTarget)]
    [InlineData("GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n", RequestError.InvalidTarget)]
    [InlineData("GET /%4 HTTP/1.1\r\nHost: a\r\n\r\n", RequestError.InvalidTarget)]
    [InlineData("GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", RequestError.InvalidTarget)]
    [InlineData("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", RequestError.InvalidTarget)]
    [InlineData("PRI * HTTP/1.1\r\nHost: h\r\n\r\n", RequestError.InvalidTarget)]
    // Header lines
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFo@: x\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo : x\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nA\u0000b: x\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nT\\E: x\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo: a\rBar: b\r\n\r\n", RequestError.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo: a\u000cb\r\n\r\n", RequestError.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo: a\u007f\r\n\r\n", RequestError.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo: a\nBar: b\r\n\r\n", RequestError.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nFoo: a\r\n b\r\n\r\n", RequestError.LeadingWhitespace)]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n", RequestError.LeadingWhitespace)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", RequestError.MissingHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", RequestError.DuplicateHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", RequestError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\n\r\n", RequestError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n", RequestError.InvalidHost)]
    [InlineData("GET / HTTP/1.0\r\nHost: \t\r\n\r\n", RequestError.InvalidHost)]
    [InlineData("GET http://h.example/ HTTP/1.1\r\nHost:\r\n\r\n", RequestError.InvalidHost)]
    [InlineData("GET http://h.example/ HTTP/1.1\r\n\r\n", RequestError.MissingHost)]
    // Content-Length
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4 2\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5.0\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", RequestError.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", RequestError.BodyTooLarge)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", RequestError.DuplicateContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", RequestError.DuplicateContentLength)]
    // Transfer-Encoding and its mix with Content-Length
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RequestError.ContentLengthAndTransferEncoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", RequestError.ContentLengthAndTransferEncoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello", RequestError.ContentLengthAndTransferEncoding)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RequestError.TransferEncodingInHttp10)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: pigeons\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n0\r\n\r\n", RequestError.ChunkedNotFinal)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", RequestError.ChunkedTwice)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", RequestError.UnsupportedTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n", RequestError.InvalidHeaderValue)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", RequestError.InvalidHeaderName)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", RequestError.LeadingWhitespace)]
    // Chunked bodies
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\nabc", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\na\r\n0\r\n\r\n", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\na\r\n0\r\n\r\n", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\na\r\n0\r\n\r\n", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\na\r\n0\r\n\r\n", RequestError.BodyTooLarge)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2 junk\r\naa\r\n0\r\n\r\n", RequestError.InvalidChunkExtension)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\naa\r\n0\r\n\r\n", RequestError.InvalidChunkExtension)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n", RequestError.InvalidChunkExtension)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"b\r\naa\r\n0\r\n\r\n", RequestError.InvalidChunkExtension)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\naa\r\n0\r\n\r\n", RequestError.BareLineFeed)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\naa\n0\r\n\r\n", RequestError.InvalidChunkTerminator)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nABCDE0\r\n\r\n", RequestError.InvalidChunkTerminator)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\r;x\r\nABCDE\r\n0\r\n\r\n", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n", RequestError.InvalidChunkSize)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", RequestError.BareLineFeed)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\na: b\nc: d\r\n\r\n", RequestError.BareLineFeed)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nb@d: x\r\n\r\n", RequestError.InvalidTrailer)]
    public void RefusesMalformedRequests(string raw, object expected)
    {
        var status = Parse(raw, new HttpRequest(), out var error, out _);
        Assert.Equal(expected, (object)error);
        Assert.Equal(ParseStatus.Error, status);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("POST /in HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: v\r\n\r\n")]
    public void EveryPrefixIsIncompleteAndEverySplitParses(string raw)
    {
        var bytes = Encoding.Latin1.GetBytes(raw);
        for (var length = 0; length < bytes.Length; length++)
        {
            var status = new HttpRequestParser(Limits).TryParse(new ReadOnlySequence<byte>(bytes, 0, length), new HttpRequest(), out _, out var error);
            Assert.True(status == ParseStatus.Incomplete, $"prefix {length}: {status} {error}");
        }
        for (var split = 1; split < bytes.Length; split++)
        {
            var request = new HttpRequest();
            var status = new HttpRequestParser(Limits).TryParse(Segments(bytes, split), request, out var consumed, out var error);
            Assert.True(status == ParseStatus.Complete, $"split {split}: {status} {error}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void RequestsArrivingInPiecesAreParsedAsTheyCome(int step)
    {
        var bytes = Encoding.ASCII.GetBytes(
            "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello" +
            "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"y\"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n" +
            "\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        var parser = new HttpRequestParser(Limits);
        var request = new HttpRequest();
        var seen = new List<string>();
        var start = 0;
        for (var end = Math.Min(step, bytes.Length); ; end = Math.Min(end + step, bytes.Length))
        {
            while (true)
            {
                var sequence = new ReadOnlySequence<byte>(bytes, start, end - start);
                var status = parser.TryParse(sequence, request, out var consumed, out var error);
                Assert.True(status != ParseStatus.Error, $"end {end}: {error}");
                start += (int)sequence.Slice(0, consumed).Length;
                if (status == ParseStatus.Incomplete) break;
                seen.Add(Encoding.ASCII.GetString(request.Path) + " " + Encoding.ASCII.GetString(request.Body.Span));
            }
            if (end == bytes.Length) break;
        }
        Assert.Equal(["/a hello", "/b abc0123456789abcdef", "/c "], seen);
        Assert.Equal(bytes.Length, start);
    }

    [Fact]
    public void ConnectionOptionsDecideKeepAlive()
    {
        Assert.True(ParseComplete("GET / HTTP/1.1\r\nHost: a\r\n\r\n").KeepAlive);
        Assert.False(ParseComplete("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n").KeepAlive);
        Assert.False(ParseComplete("GET / HTTP/1.0\r\n\r\n").KeepAlive);
        Assert.True(ParseComplete("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").KeepAlive);
    }

    [Fact]
    public void HeadersAreClassified()
    {
        var request = ParseComplete("POST / HTTP/1.1\r\nhost: a\r\ncontent-type:  application/xml \r\nCookie: c\r\nVia: v\r\nMax-Forwards: 1\r\n\r\n");
        Assert.False(request.HasUnlistedHeader);
        Assert.False(request.HasBodyFraming);
        Assert.Equal("application/xml", Encoding.ASCII.GetString(request.Header(KnownHeader.ContentType)));
        Assert.True(ParseComplete("GET / HTTP/1.1\r\nHost: a\r\nX-Other: 1\r\n\r\n").HasUnlistedHeader);
        Assert.True(ParseComplete("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").HasBodyFraming);
    }

    [Theory]
    [InlineData(8 * 1024 + 1, 10, RequestError.RequestLineTooLong)]
    [InlineData(100, 33 * 1024, RequestError.HeadersTooLarge)]
    public void LimitsAreEnforcedBeforeTheHeadIsComplete(int targetLength, int headerLength, object expected)
    {
        // No terminating CRLF: the limit must be seen while bytes are still arriving.
        var raw = "GET /" + new string('a', targetLength) + " HTTP/1.1\r\nHost: a\r\nX: " + new string('b', headerLength);
        var status = Parse(raw, new HttpRequest(), out var error, out _, split: 4096);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(expected, (object)error);
    }

    [Theory]
    [InlineData("GET http://h.example:8080/p?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n", "h.example:8080", "/p")]
    [InlineData("GET https://H.example?q HTTP/1.1\r\nHost: h.example\r\n\r\n", "H.example", "/")]
    [InlineData("GET http://[::1]:80/ HTTP/1.0\r\n\r\n", "[::1]:80", "/")]
    [InlineData("GET /p HTTP/1.1\r\nHost: origin.example\r\n\r\n", "origin.example", "/p")]
    public void AnAbsoluteFormTargetsAuthorityReplacesHost(string raw, string host, string path)
    {
        // RFC 9112 3.2.2: the origin server MUST ignore the received Host and use the target's authority.
        var request = ParseComplete(raw);
        Assert.Equal(host, Encoding.ASCII.GetString(request.Header(KnownHeader.Host)));
        Assert.Equal(path, Encoding.ASCII.GetString(request.Path));
    }

    [Fact]
    public void ChunkedBodyIsJoined()
    {
        var request = ParseComplete("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
        Assert.Equal("hello world", Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void ChunkedBodyOverTheLimitIsRefused()
    {
        var limits = new HttpLimits { MaxBodyBytes = 8 };
        var bytes = Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\n");
        var status = new HttpRequestParser(limits).TryParse(new ReadOnlySequence<byte>(bytes), new HttpRequest(), out _, out var error);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(RequestError.BodyTooLarge, error);
    }

    private static HttpRequest ParseComplete(string raw)
    {
        var request = new HttpRequest();
        var status = Parse(raw, request, out var error, out _);
        Assert.Equal(RequestError.None, error);
        Assert.Equal(ParseStatus.Complete, status);
        return request;
    }

    private static ParseStatus Parse(string raw, HttpRequest request, out RequestError error, out long consumed, int split = 0)
    {
        var bytes = Encoding.Latin1.GetBytes(raw);
        var sequence = split > 0 && split < bytes.Length ? Segments(bytes, split) : new ReadOnlySequence<byte>(bytes);
        var status = new HttpRequestParser(Limits).TryParse(sequence, request, out var position, out error);
        consumed = sequence.Slice(0, position).Length;
        return status;
    }

    /// <summary>Splits <paramref name="bytes"/> into segments of at most <paramref name="size"/> bytes.</summary>
    internal static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        var last = first;
        for (var offset = size; offset < bytes.Length; offset += size)
        {
            last = last.Append(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
