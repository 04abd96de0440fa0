namespace Pix.Storage.Embedded;

/// <summary>Bytes of live records per log segment, as a checkpoint counts them for retention. A queue's messages
/// come in log order, so most lie in the segment of the one before: that segment's sum is kept aside and the map
/// touched only when the segment changes, not once per message (10 M map updates took longer than encoding them).</summary>
internal sealed class SegmentLiveBytes
{
    private readonly Dictionary<int, long> _bytes = new();
    private int _segment = -1;
    private long _pending;

    public void Add(long position, int length)
    {
        var segment = LogPosition.SegmentOf(position);
        if (segment != _segment)
        {
            Flush();
            _segment = segment;
        }
        _pending += MessageRecord.PayloadOffset + length;
    }

    /// <summary>The sums, once everything is added.</summary>
    public Dictionary<int, long> Sums()
    {
        Flush();
        return _bytes;
    }

    private void Flush()
    {
        if (_segment >= 0) _bytes[_segment] = _bytes.GetValueOrDefault(_segment) + _pending;
        _pending = 0;
    }
}
