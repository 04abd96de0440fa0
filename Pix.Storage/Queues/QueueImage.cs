using Pix.Protocol.Ids;
using static Pix.Storage.Queues.QueueUnitFormat;

namespace Pix.Storage.Queues;

/// <summary>
/// A queue as it stood at a checkpoint's mark: its counters, id prefix and streams copied (a few fields), its entries
/// the frozen chunks themselves (<see cref="QueueEntries.Freeze"/>), so taking it costs an array of references, and
/// the checkpoint thread writes it without any lock while the queue goes on changing its own copies.
/// </summary>
public sealed class QueueImage
{
    private readonly long _base, _next, _cursor, _first;
    private readonly bool _hasPrefix;
    private readonly ulong _idHigh, _idMiddle;
    private readonly Dictionary<long, ResourceId>? _otherIds;
    private readonly QueueChunk[] _chunks;
    private readonly (ulong Id, uint Batch, long[] Claims)[] _streams;

    internal QueueImage(long @base, long next, long cursor, bool hasPrefix, ulong idHigh, ulong idMiddle,
        Dictionary<long, ResourceId>? otherIds, long first, QueueChunk[] chunks, (ulong Id, uint Batch, long[] Claims)[] streams, int epoch)
    {
        (_base, _next, _cursor, _hasPrefix, _idHigh, _idMiddle, _otherIds) = (@base, next, cursor, hasPrefix, idHigh, idMiddle, otherIds);
        (_first, _chunks, _streams, Epoch) = (first, chunks, streams, epoch);
    }

    /// <summary>The freeze this image holds (0: none, the caller held the queue's lock throughout).</summary>
    internal int Epoch { get; }

    /// <summary>Writes the queue in the checkpoint's format (<see cref="QueueUnitFormat"/>): its counters and streams,
    /// then its entries in blocks of a chunk's length, each written as deltas from the entry before, so the unit
    /// follows the backlog (acknowledged messages are a state byte or a run) in about 6 bytes a message.</summary>
    internal void WriteCompact(SnapshotWriter writer)
    {
        writer.WriteInt64(_base);
        writer.WriteInt64(_next);
        writer.WriteInt64(_cursor);
        writer.WriteByte(_hasPrefix ? (byte)1 : (byte)0);
        writer.WriteUInt64(_idHigh);
        writer.WriteUInt64(_idMiddle);
        writer.WriteInt32(_streams.Length);
        foreach (var (id, batch, claims) in _streams)
        {
            writer.WriteUInt64(id);
            writer.WriteUInt32(batch);
            writer.WriteInt32(claims.Length);
            foreach (var claim in claims) writer.WriteInt64(claim);
        }
        var blocks = BlockCount(_base, _next);
        var lengths = writer.Position;
        for (var b = 0; b < blocks; b++) writer.ReserveInt32();
        for (var b = 0; b < blocks; b++)
        {
            var start = writer.Position;
            var from = _base + ((long)b << QueueChunk.Shift);
            WriteBlock(writer, from, (int)Math.Min(QueueChunk.Size, _next - from));
            writer.PatchInt32(lengths + 4 * b, writer.Position - start);
        }
    }

    private void WriteBlock(SnapshotWriter writer, long from, int count)
    {
        ulong low = 0;
        long position = 0, storedAt = 0;
        for (var i = 0; i < count;)
        {
            var sequence = from + i;
            var (chunk, index) = At(sequence);
            var state = chunk.States[index];
            if (state == Acked)
            {
                var run = 1;
                while (i + run < count && StateAt(sequence + run) == Acked) run++;
                if (run == 1)
                {
                    writer.WriteByte(Acked);
                }
                else
                {
                    writer.WriteByte(AckedRun);
                    writer.WriteVarUInt64((ulong)run);
                }
                i += run;
                continue;
            }
            ref readonly var slot = ref chunk.Slots[index];
            ResourceId other = default;
            var whole = _otherIds is not null && _otherIds.TryGetValue(sequence, out other);
            writer.WriteByte(whole ? (byte)(state | WholeId) : state);
            writer.WriteVarInt64((long)(slot.IdLow - low));
            writer.WriteVarInt64(slot.Position - position);
            writer.WriteVarUInt64((uint)slot.Length);
            writer.WriteVarInt64(slot.StoredAtUnixMs - storedAt);
            if (whole)
            {
                writer.WriteUInt64(other.High);
                writer.WriteUInt64(other.Middle);
            }
            (low, position, storedAt) = (slot.IdLow, slot.Position, slot.StoredAtUnixMs);
            i++;
        }
    }

    /// <summary>Calls <paramref name="visit"/> with the position and length of every message not yet acknowledged.</summary>
    public void ForEachUnacknowledged<TState>(TState state, Action<TState, long, int> visit)
    {
        for (var s = _base; s < _next; s++)
        {
            var (chunk, i) = At(s);
            if (chunk.States[i] != Acked) visit(state, chunk.Slots[i].Position, chunk.Slots[i].Length);
        }
    }

    // What a writer of another layout needs (the tests keep a writer of format version 1).
    internal long Base => _base;
    internal long Next => _next;
    internal long Cursor => _cursor;
    internal (ulong Id, uint Batch, long[] Claims)[] Streams => _streams;

    internal byte StateAt(long sequence)
    {
        var (chunk, i) = At(sequence);
        return chunk.States[i];
    }

    internal QueueSlot SlotAt(long sequence)
    {
        var (chunk, i) = At(sequence);
        return chunk.Slots[i];
    }

    internal ResourceId IdAt(long sequence) =>
        _otherIds is not null && _otherIds.TryGetValue(sequence, out var other) ? other : new ResourceId(_idHigh, _idMiddle, SlotAt(sequence).IdLow);

    private (QueueChunk Chunk, int Index) At(long sequence)
    {
        var offset = sequence - _first;
        return (_chunks[offset >> QueueChunk.Shift], (int)(offset & QueueChunk.Mask));
    }
}
