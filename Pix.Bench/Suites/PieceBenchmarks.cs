using System.Buffers;
using BenchmarkDotNet.Attributes;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Protocol.Multipart;
using Pix.Protocol.Routing;
using Pix.Protocol.Streams;
using Pix.Protocol.Xml;
using Pix.Server.Http;
using Pix.Server.Icom;

namespace Pix.Bench.Suites;

/// <summary>The pieces of the request path on their own: parse and route, tokens, batch framing, gzip, XML check.</summary>
[MemoryDiagnoser]
public class PieceBenchmarks
{
    private static readonly ResourceId SampleId = ResourceId.Create(new byte[13], 42);
    private readonly HttpRequestParser _parser = new(new HttpLimits());
    private readonly HttpRequest _request = new();
    private readonly PullTokenCodec _codec = PullTokenCodec.WithRandomKey();
    private readonly MultipartWriter _multipart = MultipartWriter.WithRandomBoundary();
    private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _compressed = new(64 * 1024);
    private readonly Gzip _gzip = new();
    private readonly CheckOptions _check = new() { RequireSignature = false };
    private readonly byte[] _tokenText = new byte[PullTokenCodec.TextLength];
    private readonly PullToken _token = new(Ispb.Parse(BenchMessages.Receiver), 7, 42, 0);
    private readonly HttpRequestParser _trickleParser = new(new HttpLimits());
    private readonly byte[] _trickled = System.Text.Encoding.ASCII.GetBytes("GET /api/v1/out/12345678/stream/start HTTP/1.1\r\nHost: pix\r\n"
        + string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Trickle-{i:D2}: {new string('t', 32)}\r\n")) + "\r\n");
    private ReadOnlySequence<byte> _get;
    private byte[] _payload = [];

    [GlobalSetup]
    public void Setup()
    {
        var request = BenchRequests.OnToken("GET");
        _codec.Write(_token, _tokenText);
        _tokenText.CopyTo(request.AsSpan(BenchRequests.TokenOffset("GET")));
        _get = new ReadOnlySequence<byte>(request);
        _payload = BenchMessages.Pacs008();
        if (ParseAndRoute() != IcomRouteKind.StreamToken) throw new InvalidOperationException("The GET did not parse to a token route.");
        if (!MessageCheckPacs008()) throw new InvalidOperationException("The pacs.008 does not pass its checks.");
        if (!TokenRead()) throw new InvalidOperationException("The token does not verify.");
        if (TrickledHead2K() != _trickled.Length) throw new InvalidOperationException("The trickled head did not parse.");
        MultipartWrite10();
    }

    /// <summary>A buffered GET on a token: request line, headers, framing, then the route on the path bytes.</summary>
    [Benchmark]
    public IcomRouteKind ParseAndRoute()
    {
        _request.Reset();
        if (_parser.TryParse(_get, _request, out _, out _) != ParseStatus.Complete) return IcomRouteKind.Unknown;
        return IcomRoute.Match(_request.Path).Kind;
    }

    /// <summary>A 2 KiB head arriving one byte per read (slowloris): each call gets what the last one left unconsumed
    /// plus one byte, as a connection's pipe would. Linear work, and nothing allocated.</summary>
    [Benchmark]
    public int TrickledHead2K()
    {
        var start = 0;
        for (var end = 1; end <= _trickled.Length; end++)
        {
            var buffer = new ReadOnlySequence<byte>(_trickled, start, end - start);
            var status = _trickleParser.TryParse(buffer, _request, out var consumed, out _);
            start += (int)buffer.Slice(0, consumed).Length;
            if (status != ParseStatus.Incomplete) return end;
        }
        return -1;
    }

    [Benchmark]
    public byte TokenWrite()
    {
        _codec.Write(_token, _tokenText);
        return _tokenText[0];
    }

    [Benchmark]
    public bool TokenRead() => _codec.TryRead(_tokenText, out _);

    /// <summary>A 10-message batch framed as multipart/mixed into a reused buffer (what a 200 body is).</summary>
    [Benchmark]
    public int MultipartWrite10()
    {
        _body.ResetWrittenCount();
        for (var i = 0; i < 10; i++)
        {
            _multipart.WritePartHead(_body, i, SampleId);
            _body.Write(_payload);
        }
        _multipart.WriteEnd(_body);
        return _body.WrittenCount;
    }

    /// <summary>gzip (fastest) of that 10-message body, as a read with Accept-Encoding: gzip does.</summary>
    [Benchmark]
    public int GzipBatch10()
    {
        _gzip.Compress(_body.WrittenSpan, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark]
    public bool MessageCheckPacs008() => MessageCheck.Check(_payload, _check, out _).Ok;
}
