namespace Pix.Storage.Queues;

// A checkpoint's view of the queue without holding the store's state lock while it is written: the checkpoint marks
// every queue under that lock (cheap), then copies each queue when it gets to it, unless a change came first, in
// which case the change copies the queue before it applies. Either way the copy is the queue as it stood at the mark.
public sealed partial class IspbQueue
{
    private bool _captureRequested;
    private IspbQueue? _captured;

    /// <summary>Marks the queue's current state as the one a checkpoint wants (caller holds the queue's lock, and
    /// the store's state lock, so no change is half applied).</summary>
    public void RequestCapture()
    {
        _captureRequested = true;
        _captured = null;
    }

    /// <summary>The queue as it stood at <see cref="RequestCapture"/>: a private copy the caller may read without any
    /// lock (caller holds the queue's lock while taking it).</summary>
    public IspbQueue TakeCapture()
    {
        var captured = _captured ?? CopyForSnapshot();
        _captured = null;
        _captureRequested = false;
        return captured;
    }

    /// <summary>The checkpoint was dropped: no copy is needed any more.</summary>
    public void CancelCapture()
    {
        _captureRequested = false;
        _captured = null;
    }

    // Every method that changes what a snapshot holds calls this first.
    private void CaptureBeforeChange()
    {
        if (_captureRequested && _captured is null) _captured = CopyForSnapshot();
    }

    /// <summary>What <see cref="WriteSnapshot"/> reads, copied: the live range of messages and states, the id
    /// prefix, and each stream's batch and claims. A copy of one queue costs about 29 bytes per message in it.</summary>
    private IspbQueue CopyForSnapshot()
    {
        var live = (int)(_next - _base);
        var copy = new IspbQueue
        {
            _base = _base,
            _next = _next,
            _cursor = _cursor,
            _idHigh = _idHigh,
            _idMiddle = _idMiddle,
            _hasPrefix = _hasPrefix,
            _unacked = _unacked,
            _messages = _messages[..Math.Max(live, 1)],
            _states = _states[..Math.Max(live, 1)],
            _otherIds = _otherIds is null ? null : new Dictionary<long, Pix.Protocol.Ids.ResourceId>(_otherIds),
        };
        foreach (var (id, stream) in _streams)
        {
            var streamCopy = new StreamState { Batch = stream.Batch, Count = stream.Count };
            stream.Claim.AsSpan(0, stream.Count).CopyTo(streamCopy.Claim);
            copy._streams[id] = streamCopy;
        }
        return copy;
    }
}
