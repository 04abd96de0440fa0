namespace Pix.Storage.Queues;

// A checkpoint's view of the queue without holding the store's state lock while it is written: the checkpoint marks
// every queue under that lock, which freezes its chunks (an array of references, a few fields, the streams' claims),
// and writes the frozen chunks later. A change after the mark copies only the chunk it touches (4,096 entries at most),
// never the whole queue, so no request waits for a long queue's copy.
public sealed partial class IspbQueue
{
    private QueueImage? _capture;

    /// <summary>Marks the queue's current state as the one a checkpoint wants (caller holds the queue's lock, and
    /// the store's state lock, so no change is half applied).</summary>
    public void RequestCapture() => _capture = Image(freeze: true);

    /// <summary>The queue as it stood at <see cref="RequestCapture"/> (or now, without a mark): the caller may read
    /// it without any lock, then hands it back with <see cref="ReleaseCapture"/> (caller holds the queue's lock for
    /// both calls, not in between).</summary>
    public QueueImage TakeCapture()
    {
        var image = _capture ?? Image(freeze: true);
        _capture = null;
        return image;
    }

    /// <summary>The image is written: the queue may write its chunks in place again.</summary>
    public void ReleaseCapture(QueueImage image) => _entries.Thaw(image.Epoch);

    /// <summary>The checkpoint was dropped: nothing needs the frozen chunks any more.</summary>
    public void CancelCapture()
    {
        if (_capture is not null) _entries.Thaw(_capture.Epoch);
        _capture = null;
    }

    /// <summary>Writes the queue as it is (caller holds the queue's lock throughout); the same bytes a checkpoint
    /// writes for it.</summary>
    internal void WriteCompact(SnapshotWriter writer) => Image(freeze: false).WriteCompact(writer);

    // The fields a snapshot holds, copied, and the entries' chunks, frozen when the image outlives the lock.
    private QueueImage Image(bool freeze)
    {
        QueueChunk[] chunks;
        long first;
        var epoch = 0;
        if (freeze) epoch = _entries.Freeze(out chunks, out first);
        else chunks = _entries.View(out first);
        var streams = new (ulong, uint, long[])[_streams.Count];
        var n = 0;
        foreach (var (id, stream) in _streams) streams[n++] = (id, stream.Batch, stream.Claim[..stream.Count]);
        var otherIds = _otherIds is null ? null : new Dictionary<long, Pix.Protocol.Ids.ResourceId>(_otherIds);
        return new QueueImage(_base, _next, _cursor, _hasPrefix, _idHigh, _idMiddle, otherIds, first, chunks, streams, epoch);
    }
}
