using System.Buffers;

namespace Pix.Server.Http;

/// <summary>
/// Reads one request at a time from the bytes buffered so far, synchronously and without allocating once its buffers
/// have grown: the connection drives it for every pipelined request in a read, and tests drive it from a
/// <see cref="ReadOnlySequence{T}"/>. The head is parsed only when complete (it is small and bounded); the body is
/// consumed as it arrives, into a contiguous per-connection buffer, so a large or finely chunked body neither fills
/// the transport's read buffer nor gets parsed again on every read.
/// </summary>
internal sealed class HttpRequestParser : IDisposable
{
    private readonly HttpLimits _limits;
    private readonly byte[] _lineBuffer;
    private byte[] _headBuffer = [];
    private byte[] _bodyBuffer = [];
    private RequestFraming _framing;
    private BodyState _state;
    private long _remaining;
    private int _bodyLength;
    private int _trailerBytes;

    public HttpRequestParser(HttpLimits limits)
    {
        _limits = limits;
        _lineBuffer = new byte[Math.Max(limits.MaxChunkLineBytes, limits.MaxTrailerBytes)];
    }

    /// <summary>The head of the current request was read and its body is still arriving.</summary>
    public bool IsReadingBody => _state != BodyState.Head;

    /// <summary>The current request sent <c>Expect: 100-continue</c> (meaningful while <see cref="IsReadingBody"/>).</summary>
    public bool ExpectsContinue => _framing.ExpectContinue;

    /// <summary>
    /// Parses from the start of <paramref name="buffer"/>. <paramref name="consumed"/> is where the next call must start:
    /// after the request when complete, or after the part already taken (head and some body) when incomplete.
    /// After an error the connection is closed, and the parser must not be used again.
    /// </summary>
    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, HttpRequest request, out SequencePosition consumed, out RequestError error)
    {
        consumed = buffer.Start;
        var reader = new SequenceReader<byte>(buffer);
        if (_state == BodyState.Head)
        {
            var status = ParseHead(buffer, request, out var headLength, out error);
            if (status != ParseStatus.Complete) return status;
            reader.Advance(headLength);
            _bodyLength = 0;
            if (_framing.HasContentLength)
            {
                _remaining = _framing.ContentLength;
                EnsureBodyCapacity(_remaining);
                _state = BodyState.ContentLength;
            }
            else if (_framing.HasTransferEncoding)
            {
                _state = BodyState.ChunkSizeLine;
            }
        }

        var result = ParseBody(ref reader, out error);
        consumed = reader.Position;
        if (result == ParseStatus.Incomplete) return result;
        _state = BodyState.Head;
        // RFC 9112 6.3: without either framing a request has no body; the application answers 411 where it needs one.
        request.Body = _bodyBuffer.AsMemory(0, _bodyLength);
        return result;
    }

    private ParseStatus ParseBody(ref SequenceReader<byte> reader, out RequestError error)
    {
        error = RequestError.None;
        while (true)
        {
            switch (_state)
            {
                case BodyState.Head:
                    return ParseStatus.Complete;

                case BodyState.ContentLength:
                    CopyBody(ref reader);
                    return _remaining == 0 ? ParseStatus.Complete : ParseStatus.Incomplete;

                case BodyState.ChunkSizeLine:
                {
                    var status = ChunkLines.ReadLine(ref reader, _limits.MaxChunkLineBytes, _lineBuffer, RequestError.ChunkLineTooLong, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    error = ChunkLines.ParseSizeLine(line, out var size);
                    if (error != RequestError.None) return ParseStatus.Error;
                    if (size == 0)
                    {
                        _trailerBytes = 0;
                        _state = BodyState.Trailers;
                        break;
                    }
                    if (size > _limits.MaxBodyBytes - _bodyLength) return Fail(RequestError.BodyTooLarge, out error);
                    _remaining = size;
                    EnsureBodyCapacity(_bodyLength + size);
                    _state = BodyState.ChunkData;
                    break;
                }

                case BodyState.ChunkData:
                    CopyBody(ref reader);
                    if (_remaining > 0) return ParseStatus.Incomplete;
                    _state = BodyState.ChunkDataEnd;
                    break;

                case BodyState.ChunkDataEnd:
                    if (reader.Remaining < 2)
                    {
                        return reader.Remaining == 1 && reader.UnreadSpan[0] != (byte)'\r'
                            ? Fail(RequestError.InvalidChunkTerminator, out error)
                            : ParseStatus.Incomplete;
                    }
                    if (!reader.IsNext("\r\n"u8, advancePast: true)) return Fail(RequestError.InvalidChunkTerminator, out error);
                    _state = BodyState.ChunkSizeLine;
                    break;

                case BodyState.Trailers:
                {
                    // Trailer fields are checked like headers and dropped: ICOM defines none.
                    var before = reader.Consumed;
                    var room = Math.Min(_limits.MaxTrailerBytes - _trailerBytes, _lineBuffer.Length);
                    var status = ChunkLines.ReadLine(ref reader, room, _lineBuffer, RequestError.TrailersTooLarge, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    _trailerBytes += (int)(reader.Consumed - before);
                    if (line.IsEmpty) return ParseStatus.Complete;
                    if (HttpHeadParser.ValidateFieldLine(line, out _, out _) != RequestError.None) return Fail(RequestError.InvalidTrailer, out error);
                    break;
                }
            }
        }
    }

    private void CopyBody(ref SequenceReader<byte> reader)
    {
        var count = (int)Math.Min(_remaining, reader.Remaining);
        reader.UnreadSequence.Slice(0, count).CopyTo(_bodyBuffer.AsSpan(_bodyLength));
        reader.Advance(count);
        _bodyLength += count;
        _remaining -= count;
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

    /// <summary>Grows (doubling, from the shared pool, keeping what was copied) and is reused by later requests.
    /// Only called while no application holds the previous request's body.</summary>
    private void EnsureBodyCapacity(long needed)
    {
        if (_bodyBuffer.Length >= needed) return;
        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Max(needed, Math.Min(_bodyBuffer.Length * 2L, _limits.MaxBodyBytes)));
        _bodyBuffer.AsSpan(0, _bodyLength).CopyTo(grown);
        if (_bodyBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_bodyBuffer);
        _bodyBuffer = grown;
    }

    private static ParseStatus Fail(RequestError reason, out RequestError error)
    {
        error = reason;
        return ParseStatus.Error;
    }

    public void Dispose()
    {
        if (_headBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_headBuffer);
        if (_bodyBuffer.Length > 0) ArrayPool<byte>.Shared.Return(_bodyBuffer);
        _headBuffer = _bodyBuffer = [];
    }
}
