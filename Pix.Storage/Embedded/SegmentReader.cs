namespace Pix.Storage.Embedded;

/// <summary>Sequential reads of one segment through a window of the file (recovery reads whole segments, so one
/// read through the file layer serves many records).</summary>
internal sealed class SegmentReader(SegmentFiles segments, int number)
{
    private const int WindowBytes = 1 << 20;
    private byte[] _window = new byte[WindowBytes];
    private long _windowStart;
    private int _windowLength;

    public int Number => number;

    public long Length { get; } = segments.LengthOf(number);

    /// <summary>The bytes at [<paramref name="offset"/>, +<paramref name="count"/>), which must lie inside the file.
    /// Valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < _windowStart || offset + count > _windowStart + _windowLength)
        {
            if (_window.Length < count) _window = new byte[Math.Max(count, _window.Length * 2)];
            _windowStart = offset;
            _windowLength = (int)Math.Min(_window.Length, Length - offset);
            segments.ReadAt(number, offset, _window.AsSpan(0, _windowLength));
        }
        return _window.AsSpan((int)(offset - _windowStart), count);
    }
}
