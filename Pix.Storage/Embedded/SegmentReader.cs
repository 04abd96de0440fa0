namespace Pix.Storage.Embedded;

/// <summary>Sequential reads of one segment through a window of the file (recovery reads whole segments, so one
/// read through the file layer serves many records).</summary>
internal sealed class SegmentReader(SegmentFiles segments, int number)
{
    private const int WindowBytes = 1 << 20;
    private long _windowStart;
    private int _windowLength;

    public int Number => number;

    public long Length { get; } = segments.LengthOf(number);

    // No larger than the file: recovery opens a reader per segment, and a 1 MiB window for a small segment (tests,
    // the simulation) is a large-object-heap allocation per reader that only a gen2 collection gives back.
    private byte[] _window = [];

    /// <summary>The bytes at [<paramref name="offset"/>, +<paramref name="count"/>), which must lie inside the file.
    /// Valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < _windowStart || offset + count > _windowStart + _windowLength)
        {
            if (_window.Length < count) _window = new byte[Math.Max(count, (int)Math.Min(WindowBytes, Length))];
            _windowStart = offset;
            _windowLength = (int)Math.Min(_window.Length, Length - offset);
            segments.ReadAt(number, offset, _window.AsSpan(0, _windowLength));
        }
        return _window.AsSpan((int)(offset - _windowStart), count);
    }
}
