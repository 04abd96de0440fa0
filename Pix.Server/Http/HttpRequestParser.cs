using System.Buffers;

namespace Pix.Server.Http;

/// <summary>
/// Reads one whole request (head and framed body) from the bytes buffered so far, synchronously and without
/// allocating once its buffers have grown: the connection drives it for every pipelined request in a read, and
/// tests drive it from a <see cref="ReadOnlySequence{T}"/>. Until a request is complete nothing is consumed, and the
/// next attempt starts again at the request line (heads are small; chunk data is skipped, not copied, until then).
/// </summary>
internal sealed class HttpRequestParser : IDisposable
{
    private readonly HttpLimits _limits;
    private readonly byte[] _lineBuffer;
    private byte[] _headBuffer = [];
    private byte[] _bodyBuffer = [];
    private RequestFraming _framing;

    public HttpRequestParser(HttpLimits limits)
    {
        _limits = limits;
        _lineBuffer = new byte[Math.Max(limits.MaxChunkLineBytes, limits.MaxTrailerBytes)];
    }

    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, HttpRequest request, out SequencePosition consumed, out RequestError error)
    {
        consumed = buffer.Start;
        var status = ParseHead(buffer, request, out var headLength, out error);
        if (status != ParseStatus.Complete) return status;

        var body = buffer.Slice(headLength);
        if (_framing.HasContentLength)
        {
            var length = _framing.ContentLength;
            if (body.Length < length) return ParseStatus.Incomplete;
            var destination = BodyBuffer(length);
            body.Slice(0, length).CopyTo(destination);
            request.Body = _bodyBuffer.AsMemory(0, (int)length);
            consumed = body.GetPosition(length);
            return ParseStatus.Complete;
        }
        if (_framing.HasTransferEncoding)
        {
            var reader = new SequenceReader<byte>(body);
            status = ChunkedBodyParser.Parse(ref reader, _limits, _lineBuffer, default, out var length, out error);
            if (status != ParseStatus.Complete) return status;
            if (length > 0)
            {
                reader = new SequenceReader<byte>(body);
                ChunkedBodyParser.Parse(ref reader, _limits, _lineBuffer, BodyBuffer(length), out _, out _);
            }
            request.Body = _bodyBuffer.AsMemory(0, (int)length);
            consumed = reader.Position;
            return ParseStatus.Complete;
        }
        // RFC 9112 6.3: without either framing a request has no body; the application answers 411 where it needs one.
        request.Body = default;
        consumed = body.Start;
        return ParseStatus.Complete;
    }

    /// <summary>The head is parsed in place when it sits in the first segment, else from a per-connection copy.</summary>
    private ParseStatus ParseHead(in ReadOnlySequence<byte> buffer, HttpRequest request, out int headLength, out RequestError error)
    {
        var status = HttpHeadParser.Parse(buffer.FirstSpan, request, _limits, ref _framing, out headLength, out error);
        if (status != ParseStatus.Incomplete || buffer.IsSingleSegment) return status;

        // One byte past the limits, so an oversized head is told apart from an incomplete one.
        var cap = Math.Min(buffer.Length, (long)_limits.MaxRequestLineBytes + _limits.MaxHeaderBytes + 1);
        var reader = new SequenceReader<byte>(buffer);
        var length = reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8) ? Math.Min(reader.Consumed, cap) : cap;
        status = ParseCopy(buffer, (int)length, request, out headLength, out error);
        // The first CRLFCRLF can belong to empty lines before the request line: then parse all that is there.
        if (status == ParseStatus.Incomplete && length < cap) status = ParseCopy(buffer, (int)cap, request, out headLength, out error);
        return status;
    }

    private ParseStatus ParseCopy(in ReadOnlySequence<byte> buffer, int length, HttpRequest request, out int headLength, out RequestError error)
    {
        if (_headBuffer.Length < length)
        {
            if (_headBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_headBuffer);
            _headBuffer = ArrayPool<byte>.Shared.Rent(length);
        }
        buffer.Slice(0, length).CopyTo(_headBuffer);
        return HttpHeadParser.Parse(_headBuffer.AsSpan(0, length), request, _limits, ref _framing, out headLength, out error);
    }

    /// <summary>Grows (doubling, from the shared pool) and is reused by every later request of the connection.</summary>
    private Span<byte> BodyBuffer(long length)
    {
        if (_bodyBuffer.Length < length)
        {
            if (_bodyBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_bodyBuffer);
            _bodyBuffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, Math.Min(_bodyBuffer.Length * 2L, _limits.MaxBodyBytes)));
        }
        return _bodyBuffer.AsSpan(0, (int)length);
    }

    public void Dispose()
    {
        if (_headBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_headBuffer);
        if (_bodyBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_bodyBuffer);
        _headBuffer = _bodyBuffer = [];
    }
}
