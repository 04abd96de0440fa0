using Pix.Protocol.Ids;
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

    private QueueEntries _entries = new(1);
    // The High and Middle words of every id in the queue (the store's prefix); an id with others (never, unless a
    // message of another instance is delivered) is kept whole in _otherIds.
    private ulong _idHigh, _idMiddle;
    private bool _hasPrefix;
    private Dictionary<long, ResourceId>? _otherIds;
    private long _base = 1;            // lowest sequence the queue still holds (everything before is acknowledged)
    private long _next = 1;            // sequence the next append gets
    private long _cursor = 1;          // lowest sequence never claimed
    private long _unacked;
    private readonly PriorityQueue<long, long> _released = new();
    private readonly Dictionary<ulong, StreamState> _streams = new();

    public int OpenStreamCount => _streams.Count;

    /// <summary>Nothing to deliver and no stream: the queue holds nothing a participant could ask for.</summary>
    public bool IsIdle => _unacked == 0 && _streams.Count == 0;

    /// <summary>Taken out of its <see cref="QueueBook"/>: whoever locks it after that must look the ISPB up again.</summary>
    public bool Retired { get; set; }

    /// <summary>When a release sweep first saw the queue idle (monotonic ms), 0 when it is not idle.</summary>
    public long IdleSinceMs { get; set; }
    public long NextSequence => _next;

    /// <summary>Bytes the entries take in memory (tests, the memory bench): about 29 per message the queue holds.</summary>
    internal long EntryBytes => _entries.Bytes;
    public long Unacknowledged => _unacked;
    public IEnumerable<ulong> StreamIds => _streams.Keys;

    /// <summary>Adds a message at the tail. Its <see cref="StoredMessage.Sequence"/> must be <see cref="NextSequence"/>.</summary>
    public void Append(in StoredMessage message)
    {
        Debug.Assert(message.Sequence == _next);
        _entries.EnsureCapacity(_next);
        Store(_next, message);
        _entries.SetState(_next, Unclaimed);
        _next++;
        _unacked++;
    }

    /// <summary>Opens a stream at batch 0 (its first read advances to batch 1), unless all slots are taken.</summary>
    public bool TryOpen(ulong streamId, int maxStreams, long nowMs, StreamTimes times)
    {
        if (_streams.Count >= maxStreams || _streams.ContainsKey(streamId)) return false;
        _streams[streamId] = new StreamState { IdleUntilMs = nowMs + times.IdleMilliseconds };
        return true;
    }

    /// <summary>The stream's batch number and how many messages it holds, or false when it does not exist.</summary>
    public bool TryGetStream(ulong streamId, out uint batch, out int claimed)
    {
        if (_streams.TryGetValue(streamId, out var stream))
        {
            batch = stream.Batch;
            claimed = stream.Count;
            return true;
        }
        batch = 0;
        claimed = 0;
        return false;
    }

    /// <summary>
    /// The logic of <see cref="IQueueStore.ReadAsync"/> without payloads or durability: the batch's messages go to
    /// <paramref name="batch"/> (<paramref name="count"/> of them), the ones an acknowledgement settled to
    /// <paramref name="acknowledged"/>. <paramref name="effect"/> says what changed, so a durable adapter knows what to log.
    /// </summary>
    public StreamReadResult Read(in ReadRequest request, long nowMs, Span<StoredMessage> batch, out int count,
        Span<StoredMessage> acknowledged, out ReadEffect effect)
    {
        count = 0;
        effect = default;
        if (!_streams.TryGetValue(request.StreamId, out var stream)) return StreamReadResult.Gone;
        var leasedByOther = stream.Lease != 0 && stream.Lease != request.Lease && stream.LeaseUntilMs > nowMs;
        switch (request.Mode)
        {
            case ReadMode.Advance:
                if (leasedByOther) return StreamReadResult.Busy;
                if (IsCurrent(stream, request.Batch))
                {
                    effect.Acknowledged = stream.Count;
                    for (var i = 0; i < stream.Count; i++) acknowledged[i] = MessageAt(stream.Claim[i]);
                    AcknowledgeCurrent(stream);
                    stream.Batch = request.Batch + 1;
                }
                else if (request.Batch + 1 != stream.Batch)
                {
                    return StreamReadResult.Gone;
                }
                break;
            case ReadMode.Fill:
            case ReadMode.FillAndRelease:
                if (leasedByOther) return StreamReadResult.Busy;
                if (stream.Batch != request.Batch) return StreamReadResult.Gone;
                break;
            default:
                if (stream.Lease == request.Lease) stream.Lease = 0;
                stream.IdleUntilMs = nowMs + request.Times.IdleMilliseconds;
                return new StreamReadResult(ReadStatus.Ok, stream.Batch);
        }

        if (stream.Count == 0)
        {
            var max = Math.Min(request.Max, MessageBatch.Capacity);
            while (stream.Count < max && TryTakeNext(out var sequence))
            {
                stream.Claim[stream.Count++] = sequence;
                _entries.SetState(sequence, Claimed);
                effect.Claimed = true;
            }
        }
        for (var i = 0; i < stream.Count; i++) batch[i] = MessageAt(stream.Claim[i]);
        count = stream.Count;

        // An empty batch keeps its request's lease while the request waits (Advance, Fill); anything else lets go.
        var hold = count == 0 && request.Mode != ReadMode.FillAndRelease;
        if (hold && request.Mode == ReadMode.Advance)
        {
            stream.Lease = request.Lease;
            stream.LeaseUntilMs = nowMs + request.Times.LeaseMilliseconds;
        }
        else if (!hold && stream.Lease == request.Lease)
        {
            stream.Lease = 0;
        }
        stream.IdleUntilMs = nowMs + request.Times.IdleMilliseconds;
        return new StreamReadResult(ReadStatus.Ok, stream.Batch);
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
            _entries.SetState(sequence, Claimed);
            RemoveFromFree(sequence);
        }
    }

    /// <summary>The id of the message at <paramref name="sequence"/>, if the queue still holds it.</summary>
    public bool TryGetId(long sequence, out ResourceId id)
    {
        id = default;
        if (sequence < _base || sequence >= _next) return false;
        id = IdAt(sequence);
        return _entries.State(sequence) != Acked;
    }

    /// <summary>Calls <paramref name="visit"/> with the position and length of every message not yet acknowledged.</summary>
    public void ForEachUnacknowledged<TState>(TState state, Action<TState, long, int> visit)
    {
        for (var s = _base; s < _next; s++)
        {
            if (_entries.State(s) != Acked) visit(state, _entries.Slot(s).Position, _entries.Slot(s).Length);
        }
    }

    /// <summary>Every message not yet acknowledged, in queue order (tests compare it with what clients were told).</summary>
    public void CopyUnacknowledged(List<StoredMessage> into)
    {
        for (var s = _base; s < _next; s++)
        {
            if (_entries.State(s) != Acked) into.Add(MessageAt(s));
        }
    }

    /// <summary>Points an unacknowledged message at a new place (the embedded store moved its record); false when the
    /// queue no longer holds it unacknowledged.</summary>
    public bool TryMove(ResourceId id, long position)
    {
        var sequence = FindSequence(id);
        if (sequence == 0) return false;
        _entries.WritableSlot(sequence).Position = position;
        return true;
    }

    /// <summary>The sequence of the unacknowledged message with this id, or 0. Ids grow with arrival except for an
    /// operator's delivery from quarantine (which keeps an older id), so a binary search on the id's sequence is tried
    /// first and a scan only when it misses.</summary>
    public long FindSequence(ResourceId id)
    {
        long low = _base, high = _next - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var at = IdAt(middle);
            if (at == id) return _entries.State(middle) != Acked ? middle : 0;
            if (at.Low < id.Low) low = middle + 1;
            else high = middle - 1;
        }
        for (var s = _base; s < _next; s++)
        {
            if (_entries.State(s) != Acked && IdAt(s) == id) return s;
        }
        return 0;
    }

    /// <summary>The logic of <see cref="IQueueStore.CloseStreamAsync"/>: on the current token the batch is acknowledged
    /// (its messages copied to <paramref name="settled"/>), on the previous one released. <paramref name="acknowledge"/>
    /// tells a durable adapter which of the two to log.</summary>
    public CloseResult Close(in CloseRequest request, long nowMs, Span<StoredMessage> settled, out int settledCount, out bool acknowledge)
    {
        settledCount = 0;
        acknowledge = false;
        if (!_streams.TryGetValue(request.StreamId, out var stream)) return new CloseResult(ReadStatus.Gone, 0);
        if (stream.Lease != 0 && stream.LeaseUntilMs > nowMs) return new CloseResult(ReadStatus.Busy, 0);
        if (IsCurrent(stream, request.Batch)) acknowledge = true;
        else if (request.Batch + 1 != stream.Batch) return new CloseResult(ReadStatus.Gone, 0);
        if (acknowledge)
        {
            settledCount = stream.Count;
            for (var i = 0; i < stream.Count; i++) settled[i] = MessageAt(stream.Claim[i]);
        }
        var released = acknowledge ? 0 : stream.Count;
        Close(request.StreamId, acknowledge);
        return new CloseResult(ReadStatus.Ok, released);
    }

    /// <summary>Closes a stream as a log recorded it (replay) or as expiry decided.</summary>
    public bool Close(ulong streamId, bool acknowledge)
    {
        if (!_streams.Remove(streamId, out var stream)) return false;
        if (acknowledge) AcknowledgeCurrent(stream);
        else Release(stream);
        return true;
    }

    /// <summary>Closes every stream whose idle deadline passed and that no live lease holds, releasing its batch;
    /// each is added to <paramref name="into"/> (a durable adapter logs a release-close for each).</summary>
    public void ExpireIdle(Ispb ispb, long nowMs, List<ExpiredStream> into)
    {
        var first = into.Count;
        foreach (var (id, stream) in _streams)
        {
            if (stream.IdleUntilMs > nowMs) continue;
            if (stream.Lease != 0 && stream.LeaseUntilMs > nowMs) continue;
            into.Add(new ExpiredStream(ispb, id, stream.Count));
        }
        for (var i = first; i < into.Count; i++) Close(into[i].StreamId, acknowledge: false);
    }

    /// <summary>After a restart: every stream's idle clock starts now and no lease survives.</summary>
    public void ResetTimes(long nowMs, StreamTimes times)
    {
        foreach (var stream in _streams.Values)
        {
            stream.Lease = 0;
            stream.IdleUntilMs = nowMs + times.IdleMilliseconds;
        }
    }

    // The current batch's token; an empty current batch also accepts any later token, because advancing over empty
    // batches changes nothing that must survive a crash (a durable adapter need not log it).
    private static bool IsCurrent(StreamState stream, uint token) => token == stream.Batch || (stream.Count == 0 && token > stream.Batch);

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
            if (_entries.State(s) != Acked) return _entries.Slot(s).StoredAtUnixMs;
        }
        return 0;
    }

    /// <summary>The log position of the oldest message not yet acknowledged, or <see cref="long.MaxValue"/>: log
    /// segments wholly before it hold nothing this queue still needs.</summary>
    public long OldestUnacknowledgedPosition()
    {
        for (var s = _base; s < _next; s++)
        {
            if (_entries.State(s) != Acked) return _entries.Slot(s).Position;
        }
        return long.MaxValue;
    }

    private bool TryTakeNext(out long sequence)
    {
        while (_released.TryDequeue(out sequence, out _))
        {
            if (sequence >= _base && _entries.State(sequence) == Unclaimed) return true;
        }
        while (_cursor < _next)
        {
            sequence = _cursor++;
            if (_entries.State(sequence) == Unclaimed) return true;
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
                if (_entries.State(s) == Unclaimed) _released.Enqueue(s, s);
            }
            _cursor = sequence + 1;
        }
        // A sequence sitting in _released is skipped when dequeued, since its state is no longer Unclaimed.
    }

    private void AcknowledgeCurrent(StreamState stream)
    {
        for (var i = 0; i < stream.Count; i++)
        {
            var sequence = stream.Claim[i];
            if (_entries.State(sequence) == Claimed)
            {
                _entries.SetState(sequence, Acked);
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
            if (_entries.State(sequence) == Claimed)
            {
                _entries.SetState(sequence, Unclaimed);
                _released.Enqueue(sequence, sequence);
            }
        }
        stream.Count = 0;
    }

    private StoredMessage MessageAt(long sequence)
    {
        ref readonly var slot = ref _entries.Slot(sequence);
        return new StoredMessage(IdAt(sequence), sequence, slot.Position, slot.Length, slot.StoredAtUnixMs);
    }

    private ResourceId IdAt(long sequence)
    {
        if (_otherIds is not null && _otherIds.TryGetValue(sequence, out var other)) return other;
        return new ResourceId(_idHigh, _idMiddle, _entries.Slot(sequence).IdLow);
    }

    private void Store(long sequence, in StoredMessage message)
    {
        if (!_hasPrefix)
        {
            (_idHigh, _idMiddle, _hasPrefix) = (message.Id.High, message.Id.Middle, true);
        }
        if (message.Id.High != _idHigh || message.Id.Middle != _idMiddle) (_otherIds ??= new())[message.Sequence] = message.Id;
        _entries.WritableSlot(sequence) = new QueueSlot { IdLow = message.Id.Low, Position = message.Position, StoredAtUnixMs = message.StoredAtUnixMs, Length = message.Length };
    }

    // Drops the acknowledged prefix once it is a large share of the backlog, so memory follows the backlog, not
    // history: whole chunks go, and a short queue's one chunk shrinks (QueueEntries.DropBefore).
    private void Compact()
    {
        long drop = 0;
        var live = _next - _base;
        while (drop < live && _entries.State(_base + drop) == Acked) drop++;
        if (drop < 1024 && drop * 2 < live) return;
        if (drop == 0) return;
        _base += drop;
        if (_cursor < _base) _cursor = _base;
        _entries.DropBefore(_base, _next);
        if (_otherIds is not null)
        {
            foreach (var sequence in _otherIds.Keys.Where(s => s < _base).ToList()) _otherIds.Remove(sequence);
            if (_otherIds.Count == 0) _otherIds = null;
        }
    }

    private sealed class StreamState
    {
        public uint Batch;
        public int Count;
        public readonly long[] Claim = new long[MessageBatch.Capacity];
        public ulong Lease;
        public long LeaseUntilMs;
        public long IdleUntilMs;
    }
}
