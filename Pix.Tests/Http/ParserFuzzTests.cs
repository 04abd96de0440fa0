using System.Buffers;
using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>
/// Mutated requests (bytes flipped, inserted, removed; fixed seed) never make the parser throw, and parsing a buffer
/// at once gives the same requests and the same verdict as feeding it in small pieces to one parser.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] Seeds =
    [
        "GET /a?b=c HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        "POST /in HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\"\r\nabc\r\n0\r\nT: v\r\n\r\n",
        "GET http://h:1/p HTTP/1.0\r\n\r\n",
    ];

    private static readonly byte[] Interesting = Encoding.Latin1.GetBytes("\r\n \t:;,\"\\0aF-+@\u007f\u0000\u00ff");

    [Fact]
    public void MutatedRequestsNeverThrowAndParseTheSameInPieces()
    {
        var random = new Random(20261125);
        var limits = new HttpLimits();
        for (var iteration = 0; iteration < 10_000; iteration++)
        {
            var bytes = Mutate(random, Encoding.Latin1.GetBytes(Seeds[random.Next(Seeds.Length)] + Seeds[random.Next(Seeds.Length)]));
            var whole = ParseAll(limits, bytes, bytes.Length);
            var pieces = ParseAll(limits, bytes, 1 + random.Next(7));
            Assert.True(whole == pieces, $"input {Convert.ToBase64String(bytes)}\nwhole:  {whole}\npieces: {pieces}");
            var segmented = ParseSegmented(limits, bytes, 1 + random.Next(9));
            Assert.True(whole == segmented, $"input {Convert.ToBase64String(bytes)}\nwhole:  {whole}\nsegmented: {segmented}");
        }
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(bytes.Count);
            var value = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            switch (random.Next(3))
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                default: bytes.RemoveAt(at); break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Parses the whole input held in many small segments (heads that straddle them are copied).</summary>
    private static string ParseSegmented(HttpLimits limits, byte[] bytes, int segmentSize)
    {
        var parser = new HttpRequestParser(limits);
        var request = new HttpRequest();
        var log = new StringBuilder();
        var sequence = RequestParserTests.Segments(bytes, segmentSize);
        while (true)
        {
            var status = parser.TryParse(sequence, request, out var consumed, out var error);
            if (status == ParseStatus.Error) return log.Append("error ").Append(error).ToString();
            sequence = sequence.Slice(consumed);
            if (status == ParseStatus.Incomplete) return log.Append("incomplete").ToString();
            Describe(log, request);
        }
    }

    private static void Describe(StringBuilder log, HttpRequest request) =>
        log.Append(request.Method).Append(' ').Append(Encoding.Latin1.GetString(request.Path)).Append(' ')
            .Append(request.KeepAlive).Append(' ').Append(Encoding.Latin1.GetString(request.Body.Span)).Append(" | ");

    /// <summary>Feeds <paramref name="bytes"/> <paramref name="step"/> bytes at a time to one parser, the way reads
    /// arrive; describes every request parsed and how the input ended.</summary>
    private static string ParseAll(HttpLimits limits, byte[] bytes, int step)
    {
        var parser = new HttpRequestParser(limits);
        var request = new HttpRequest();
        var log = new StringBuilder();
        var start = 0;
        for (var end = Math.Min(step, bytes.Length); ; end = Math.Min(end + step, bytes.Length))
        {
            while (true)
            {
                var sequence = new ReadOnlySequence<byte>(bytes, start, end - start);
                var status = parser.TryParse(sequence, request, out var consumed, out var error);
                if (status == ParseStatus.Error) return log.Append("error ").Append(error).ToString();
                start += (int)sequence.Slice(0, consumed).Length;
                if (status == ParseStatus.Incomplete) break;
                Describe(log, request);
            }
            if (end == bytes.Length) return log.Append("incomplete").ToString();
        }
    }
}
