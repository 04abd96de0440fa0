using System.Buffers;

namespace Pix.Server.Http;

/// <summary>
/// Finds the CRLF-terminated lines of a request (request line, header lines, chunk-size lines, trailers) as bytes
/// arrive, without searching any byte twice: a line still incomplete after one read is searched on from where the
/// last search stopped, and complete lines are consumed, so a head trickled one byte per read costs linear work.
/// <see cref="BytesExamined"/> counts the bytes searched and handed on, which is what proves it.
/// </summary>
internal sealed class LineScanner
{
    private readonly RetainedBuffers? _retained;
    // A line that straddles segments is copied here; rented on first need, returned when the connection is idle.
    private byte[] _copy = [];
    // Bytes of the pending (incomplete) line already searched for LF, counted from the reader's position.
    private long _scanned;
    // Bytes of the complete lines of the current section, counted against the section's limit.
    private int _sectionBytes;

    public LineScanner(RetainedBuffers? retained) => _retained = retained;

    /// <summary>Bytes searched for line ends plus the bytes of the lines handed on, since the scanner was made.</summary>
    public long BytesExamined { get; private set; }

    /// <summary>Bytes of the pending line searched so far (the line's start has not been consumed).</summary>
    public long Pending => _scanned;

    /// <summary>Starts a section (the request line with empty lines before it, the header section, one chunk-size
    /// line, the trailer section): its lines together may not exceed the limit given to <see cref="Read"/>.</summary>
    public void BeginSection() => _sectionBytes = 0;

    /// <summary>
    /// Reads the next line, without its CRLF. Incomplete leaves the reader at the line's start; a line or section
    /// over <paramref name="maxSectionBytes"/> (CRLF included) is <paramref name="tooLong"/>, even before its end
    /// arrives; a line that does not end with CRLF is a bare LF. The span is valid until the next call.
    /// </summary>
    public ParseStatus Read(ref SequenceReader<byte> reader, int maxSectionBytes, RequestError tooLong,
        out ReadOnlySpan<byte> line, out RequestError error)
    {
        line = default;
        error = RequestError.None;
        // Fast path: the line ends in the current segment (almost always), so it is searched and handed on as a span.
        var span = reader.UnreadSpan;
        if (_scanned < span.Length)
        {
            var lf = span[(int)_scanned..].IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var lineLength = (int)_scanned + lf;
                BytesExamined += lf + 1 + lineLength;
                _scanned = 0;
                if (_sectionBytes + lineLength + 1 > maxSectionBytes) return Fail(tooLong, out error);
                _sectionBytes += lineLength + 1;
                line = span[..lineLength];
                reader.Advance(lineLength + 1);
                return EndsWithCarriageReturn(ref line, out error);
            }
        }
        var unread = reader.UnreadSequence;
        var searched = _scanned == 0 ? unread : unread.Slice(_scanned);
        var end = searched.PositionOf((byte)'\n');
        if (end is null)
        {
            BytesExamined += searched.Length;
            _scanned = unread.Length;
            return _sectionBytes + _scanned >= maxSectionBytes ? Fail(tooLong, out error) : ParseStatus.Incomplete;
        }
        var raw = unread.Slice(0, end.Value);
        var length = raw.Length;
        BytesExamined += length + 1 - _scanned + length;
        _scanned = 0;
        if (_sectionBytes + length + 1 > maxSectionBytes) return Fail(tooLong, out error);
        _sectionBytes += (int)length + 1;
        reader.Advance(length + 1);
        line = raw.IsSingleSegment ? raw.FirstSpan : Copy(raw);
        return EndsWithCarriageReturn(ref line, out error);
    }

    private static ParseStatus EndsWithCarriageReturn(ref ReadOnlySpan<byte> line, out RequestError error)
    {
        if (line.IsEmpty || line[^1] != (byte)'\r') return Fail(RequestError.BareLineFeed, out error);
        line = line[..^1];
        error = RequestError.None;
        return ParseStatus.Complete;
    }

    private ReadOnlySpan<byte> Copy(scoped in ReadOnlySequence<byte> raw)
    {
        var length = (int)raw.Length;
        if (_copy.Length < length)
        {
            Release();
            _copy = ArrayPool<byte>.Shared.Rent(length);
            _retained?.Rented(_copy.Length);
        }
        raw.CopyTo(_copy);
        return _copy.AsSpan(0, length);
    }

    /// <summary>Gives the copy buffer back to the pool (the connection is between requests, or closing).</summary>
    public void Release()
    {
        if (_copy.Length == 0) return;
        _retained?.Returned(_copy.Length);
        ArrayPool<byte>.Shared.Return(_copy);
        _copy = [];
    }

    private static ParseStatus Fail(RequestError reason, out RequestError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
