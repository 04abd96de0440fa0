using System.Buffers;

namespace Pix.Server.Http;

/// <summary>
/// Reads one request at a time from the bytes buffered so far, synchronously and without allocating: the connection
/// drives it for every pipelined request in a read, and tests drive it from a <see cref="ReadOnlySequence{T}"/>.
/// Nothing is read twice. Each line of the head is parsed once, as soon as its CRLF arrives, and consumed (the
/// request keeps copies of what it needs), and a line still incomplete is searched on from where the last read
/// stopped (<see cref="LineScanner"/>). The body is copied as it arrives into one pooled buffer that grows with
/// what arrived, never with what was announced, and goes back to the pool when the connection is between requests.
/// </summary>
internal sealed class HttpRequestParser : IDisposable
{
    // The first body buffer: enough for a typical ICOM message. Later ones double, up to what the request needs.
    private const int FirstBodyBuffer = 4 * 1024;

    private readonly HttpLimits _limits;
    private readonly RetainedBuffers? _retained;
    private readonly LineScanner _lines;
    private byte[] _body = [];
    private RequestFraming _framing;
    private ParserState _state;
    private long _remaining;
    private int _bodyLength;
    private long _bodyBytesCopied;

    public HttpRequestParser(HttpLimits limits, RetainedBuffers? retained = null)
    {
        _limits = limits;
        _retained = retained;
        _lines = new LineScanner(retained);
    }

    /// <summary>Part of a request has been read (the connection runs the request timeout, not the idle one).</summary>
    public bool IsMidRequest => _state != ParserState.Idle;

    /// <summary>The head of the current request was read and its body is still arriving.</summary>
    public bool IsReadingBody => _state >= ParserState.ContentLength;

    /// <summary>The current request sent <c>Expect: 100-continue</c> (meaningful while <see cref="IsReadingBody"/>).</summary>
    public bool ExpectsContinue => _framing.ExpectContinue;

    /// <summary>Bytes searched for line ends, parsed, or copied, since the parser was made: linear in the bytes
    /// received however they were split into reads.</summary>
    public long BytesExamined => _lines.BytesExamined + _bodyBytesCopied;

    /// <summary>
    /// Parses from the start of <paramref name="buffer"/>. <paramref name="consumed"/> is where the next call must start:
    /// after the request when complete, or after the part already taken (whole head lines, body bytes) when incomplete.
    /// After an error the connection is closed, and the parser must not be used again.
    /// </summary>
    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, HttpRequest request, out SequencePosition consumed, out RequestError error)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = Parse(ref reader, request, out error);
        consumed = reader.Position;
        return status;
    }

    private ParseStatus Parse(ref SequenceReader<byte> reader, HttpRequest request, out RequestError error)
    {
        error = RequestError.None;
        while (true)
        {
            ParseStatus status;
            switch (_state)
            {
                case ParserState.Idle:
                    if (reader.End) return ParseStatus.Incomplete;
                    request.Reset();
                    _framing.Reset();
                    _bodyLength = 0;
                    _lines.BeginSection();
                    _state = ParserState.RequestLine;
                    break;

                case ParserState.RequestLine:
                {
                    // RFC 9112 2.2: empty lines before the request line are skipped, but only CRLF ones, and they
                    // count against the request-line limit so a stream of CRLF cannot keep the connection busy for free.
                    if (reader.TryPeek(out var first) && (first == (byte)'\n'
                        || (first == (byte)'\r' && reader.TryPeek(1, out var second) && second != (byte)'\n')))
                    {
                        return Fail(first == (byte)'\n' ? RequestError.BareLineFeed : RequestError.BareCarriageReturn, out error);
                    }
                    status = _lines.Read(ref reader, _limits.MaxRequestLineBytes, RequestError.RequestLineTooLong, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    if (line.IsEmpty) break;
                    error = RequestLineParser.Parse(line, request);
                    if (error != RequestError.None) return ParseStatus.Error;
                    _lines.BeginSection();
                    _state = ParserState.Headers;
                    break;
                }

                case ParserState.Headers:
                {
                    status = _lines.Read(ref reader, _limits.MaxHeaderBytes, RequestError.HeadersTooLarge, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    error = line.IsEmpty ? HttpHeadParser.Judge(request, _limits, ref _framing) : HttpHeadParser.ParseHeaderLine(line, request, _limits, ref _framing);
                    if (error != RequestError.None) return ParseStatus.Error;
                    if (!line.IsEmpty) break;
                    if (_framing.HasContentLength)
                    {
                        _remaining = _framing.ContentLength;
                        _state = ParserState.ContentLength;
                    }
                    else if (_framing.HasTransferEncoding)
                    {
                        _lines.BeginSection();
                        _state = ParserState.ChunkSizeLine;
                    }
                    else
                    {
                        // RFC 9112 6.3: without either framing a request has no body; the application answers 411 where it needs one.
                        return Complete(request);
                    }
                    break;
                }

                case ParserState.ContentLength:
                    CopyBody(ref reader);
                    return _remaining == 0 ? Complete(request) : ParseStatus.Incomplete;

                case ParserState.ChunkSizeLine:
                {
                    status = _lines.Read(ref reader, _limits.MaxChunkLineBytes, RequestError.ChunkLineTooLong, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    error = ChunkLines.ParseSizeLine(line, out var size);
                    if (error != RequestError.None) return ParseStatus.Error;
                    _lines.BeginSection();
                    if (size == 0)
                    {
                        _state = ParserState.Trailers;
                        break;
                    }
                    if (size > _limits.MaxBodyBytes - _bodyLength) return Fail(RequestError.BodyTooLarge, out error);
                    _remaining = size;
                    _state = ParserState.ChunkData;
                    break;
                }

                case ParserState.ChunkData:
                    CopyBody(ref reader);
                    if (_remaining > 0) return ParseStatus.Incomplete;
                    _state = ParserState.ChunkDataEnd;
                    break;

                case ParserState.ChunkDataEnd:
                    if (reader.Remaining < 2)
                    {
                        return reader.Remaining == 1 && reader.UnreadSpan[0] != (byte)'\r'
                            ? Fail(RequestError.InvalidChunkTerminator, out error)
                            : ParseStatus.Incomplete;
                    }
                    if (!reader.IsNext("\r\n"u8, advancePast: true)) return Fail(RequestError.InvalidChunkTerminator, out error);
                    _state = ParserState.ChunkSizeLine;
                    break;

                case ParserState.Trailers:
                {
                    // Trailer fields are checked like headers and dropped: ICOM defines none.
                    status = _lines.Read(ref reader, _limits.MaxTrailerBytes, RequestError.TrailersTooLarge, out var line, out error);
                    if (status != ParseStatus.Complete) return status;
                    if (line.IsEmpty) return Complete(request);
                    if (HttpHeadParser.ValidateFieldLine(line, out _, out _) != RequestError.None) return Fail(RequestError.InvalidTrailer, out error);
                    break;
                }
            }
        }
    }

    private ParseStatus Complete(HttpRequest request)
    {
        request.Body = _body.AsMemory(0, _bodyLength);
        _state = ParserState.Idle;
        return ParseStatus.Complete;
    }

    private void CopyBody(ref SequenceReader<byte> reader)
    {
        var count = (int)Math.Min(_remaining, reader.Remaining);
        if (count == 0) return;
        EnsureBodyCapacity(_bodyLength + count);
        var span = reader.UnreadSpan;
        if (count <= span.Length) span[..count].CopyTo(_body.AsSpan(_bodyLength));
        else reader.UnreadSequence.Slice(0, count).CopyTo(_body.AsSpan(_bodyLength));
        reader.Advance(count);
        _bodyLength += count;
        _remaining -= count;
        _bodyBytesCopied += count;
    }

    /// <summary>Grows with the bytes that arrived (doubling, from the shared pool, keeping what was copied), never
    /// past what the request can still need: a client announcing 1 MiB and sending 10 bytes gets 4 KiB.</summary>
    private void EnsureBodyCapacity(int needed)
    {
        if (_body.Length >= needed) return;
        long most = _state == ParserState.ContentLength ? _framing.ContentLength : _limits.MaxBodyBytes;
        var size = (int)Math.Max(needed, Math.Min(most, Math.Max(FirstBodyBuffer, _body.Length * 2L)));
        var grown = ArrayPool<byte>.Shared.Rent(size);
        _retained?.Rented(grown.Length);
        _body.AsSpan(0, _bodyLength).CopyTo(grown);
        ReturnBody();
        _body = grown;
    }

    /// <summary>Between requests (the application is done with the last body): gives the pooled buffers back, so
    /// an idle connection holds none, whatever its last request was.</summary>
    public void ReleaseBuffers()
    {
        if (_state != ParserState.Idle) return;
        ReturnBody();
        _lines.Release();
    }

    private void ReturnBody()
    {
        if (_body.Length == 0) return;
        _retained?.Returned(_body.Length);
        ArrayPool<byte>.Shared.Return(_body);
        _body = [];
    }

    private static ParseStatus Fail(RequestError reason, out RequestError error)
    {
        error = reason;
        return ParseStatus.Error;
    }

    public void Dispose()
    {
        ReturnBody();
        _lines.Release();
    }
}
