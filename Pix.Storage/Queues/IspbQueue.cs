using System.Diagnostics;

namespace Pix.Storage.Queues;

/// <summary>
/// One ISPB's queue and its competing streams: messages in arrival order, each unclaimed, claimed by exactly one
/// stream's current batch, or acknowledged. Pure state, no I/O, so every adapter that keeps state in process
/// (memory, embedded) shares it, and the embedded log can replay into it. Not thread-safe: callers lock the instance.
/// </summary>
public sealed partial class IspbQueue
{
    private const byte Unclaimed = 0, Claimed = 1, Acked = 2;

    private StoredMessage[] _messages = new StoredMessage[16];
    private byte[] _states = new byte[16];
    private long _base = 1;            // sequence of _messages[0]
    private long _next = 1;            // sequence the next append gets
    private long _cursor = 1;          // lowest sequence never claimed
    private long _unacked;
    private readonly PriorityQueue<long, long> _released = new();
    private readonly Dictionary<ulong, StreamState> _streams = new();

    public int OpenStreamCount => _streams.Count;
    public long NextSequence => _next;
    public long Unacknowledged => _unacked;
    public IEnumerable<ulong> StreamIds => _streams.Keys;

    /// <summary>Adds a message at the tail. Its <see cref="StoredMessage.Sequence"/> must be <see cref="NextSequence"/>.</summary>
    public void Append(in StoredMessage message)
    {
        Debug.Assert(message.Sequence == _next);
        var index = EnsureSlot(_next);
        _messages[index] = message;
        _states[index] = Unclaimed;
        _next++;
        _unacked++;
    }

    public bool TryOpen(ulong streamId, int maxStreams)
    {
        if (_streams.Count >= maxStreams || _streams.ContainsKey(streamId)) return false;
        _streams[streamId] = new StreamState();
        return true;
    }

    public bool TryGetStream(ulong streamId, out StreamPosition position)
    {
        if (_streams.TryGetValue(streamId, out var stream))
        {
            position = new StreamPosition(stream.Batch, stream.Count);
            return true;
        }
        position = default;
        return false;
    }

    /// <summary>Copies the messages the stream's current batch holds (at most <see cref="MessageBatch.Capacity"/>);
    /// 0 when the stream does not exist. Lets an adapter see what an acknowledgement is about to settle.</summary>
    public int CopyClaim(ulong streamId, Span<StoredMessage> into)
    {
        if (!_streams.TryGetValue(streamId, out var stream)) return 0;
        for (var i = 0; i < stream.Count; i++) into[i] = _messages[IndexOf(stream.Claim[i])];
        return stream.Count;
    }

    /// <summary>The claim logic of <see cref="IQueueStore.ClaimAsync"/>, without durability. Returns whether the
    /// state changed (an acknowledgement happened or messages were claimed) so a durable adapter knows what to log.</summary>
    public ClaimStatus Claim(in ClaimRequest request, MessageBatch into, out bool changed)
    {
        changed = false;
        into.Clear();
        if (!_streams.TryGetValue(request.StreamId, out var stream)) return ClaimStatus.Gone;
        if (request.AcknowledgePrevious)
        {
            if (stream.Batch + 1 != request.Batch) return ClaimStatus.Stale;
            changed |= stream.Count > 0;
            AcknowledgeCurrent(stream);
            stream.Batch = request.Batch;
        }
        else if (stream.Batch != request.Batch)
        {
            return ClaimStatus.Stale;
        }

        if (stream.Count == 0)
        {
            var max = Math.Min(request.Max, MessageBatch.Capacity);
            while (stream.Count < max && TryTakeNext(out var sequence))
            {
                stream.Claim[stream.Count++] = sequence;
                _states[IndexOf(sequence)] = Claimed;
                changed = true;
            }
        }

        into.Batch = stream.Batch;
        for (var i = 0; i < stream.Count; i++) into.Add(_messages[IndexOf(stream.Claim[i])]);
        return ClaimStatus.Ok;
    }

    /// <summary>Replays a claim a durable log recorded: the stream is at <paramref name="batch"/> holding exactly these sequences.</summary>
    public void RestoreClaim(ulong streamId, uint batch, bool acknowledgePrevious, ReadOnlySpan<long> sequences)
    {
        if (!_streams.TryGetValue(streamId, out var stream)) return;
        if (acknowledgePrevious) AcknowledgeCurrent(stream);
        stream.Batch = batch;
        foreach (var sequence in sequences)
        {
            stream.Claim[stream.Count++] = sequence;
            _states[IndexOf(sequence)] = Claimed;
            RemoveFromFree(sequence);
        }
    }

    public bool Close(ulong streamId, bool acknowledge)
    {
        if (!_streams.Remove(streamId, out var stream)) return false;
        if (acknowledge) AcknowledgeCurrent(stream);
        else Release(stream);
        return true;
    }

    public long UnclaimedCount
    {
        get
        {
            var fresh = _next - _cursor;
            return fresh + _released.Count;
        }
    }

    public long OldestUnacknowledgedStoredAtUnixMs()
    {
        for (var s = _base; s < _next; s++)
        {
            var i = IndexOf(s);
            if (_states[i] != Acked) return _messages[i].StoredAtUnixMs;
        }
        return 0;
    }

    /// <summary>The log position of the oldest message not yet acknowledged, or <see cref="long.MaxValue"/>: log
    /// segments wholly before it hold nothing this queue still needs.</summary>
    public long OldestUnacknowledgedPosition()
    {
        for (var s = _base; s < _next; s++)
        {
            var i = IndexOf(s);
            if (_states[i] != Acked) return _messages[i].Position;
        }
        return long.MaxValue;
    }

    private bool TryTakeNext(out long sequence)
    {
        while (_released.TryDequeue(out sequence, out _))
        {
            if (sequence >= _base && _states[IndexOf(sequence)] == Unclaimed) return true;
        }
        while (_cursor < _next)
        {
            sequence = _cursor++;
            if (_states[IndexOf(sequence)] == Unclaimed) return true;
        }
        sequence = 0;
        return false;
    }

    // Replay marks claims without going through TryTakeNext: keep the free structures consistent.
    private void RemoveFromFree(long sequence)
    {
        if (sequence >= _cursor)
        {
            // Fresh messages below the claimed one stay claimable through _released.
            for (var s = _cursor; s < sequence; s++)
            {
                if (_states[IndexOf(s)] == Unclaimed) _released.Enqueue(s, s);
            }
            _cursor = sequence + 1;
        }
        // A sequence sitting in _released is skipped when dequeued, since its state is no longer Unclaimed.
    }

    private void AcknowledgeCurrent(StreamState stream)
    {
        for (var i = 0; i < stream.Count; i++)
        {
            var index = IndexOf(stream.Claim[i]);
            if (_states[index] == Claimed)
            {
                _states[index] = Acked;
                _unacked--;
            }
        }
        stream.Count = 0;
        Compact();
    }

    private void Release(StreamState stream)
    {
        for (var i = 0; i < stream.Count; i++)
        {
            var sequence = stream.Claim[i];
            var index = IndexOf(sequence);
            if (_states[index] == Claimed)
            {
                _states[index] = Unclaimed;
                _released.Enqueue(sequence, sequence);
            }
        }
        stream.Count = 0;
    }

    private int IndexOf(long sequence) => (int)(sequence - _base);

    private int EnsureSlot(long sequence)
    {
        var index = IndexOf(sequence);
        if (index >= _messages.Length)
        {
            var size = Math.Max(_messages.Length * 2, index + 1);
            Array.Resize(ref _messages, size);
            Array.Resize(ref _states, size);
        }
        return index;
    }

    // Drops the acknowledged prefix once it is a large share of the arrays, so memory follows the backlog, not history.
    private void Compact()
    {
        var drop = 0;
        var live = (int)(_next - _base);
        while (drop < live && _states[drop] == Acked) drop++;
        if (drop < 1024 && drop * 2 < live) return;
        if (drop == 0) return;
        Array.Copy(_messages, drop, _messages, 0, live - drop);
        Array.Copy(_states, drop, _states, 0, live - drop);
        Array.Clear(_states, live - drop, drop);
        _base += drop;
        if (_cursor < _base) _cursor = _base;
    }

    private sealed class StreamState
    {
        public uint Batch = 1;
        public int Count;
        public readonly long[] Claim = new long[MessageBatch.Capacity];
    }
}
