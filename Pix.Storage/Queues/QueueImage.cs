using Pix.Protocol.Ids;

namespace Pix.Storage.Queues;

/// <summary>
/// A queue as it stood at a checkpoint's mark: its counters, id prefix and streams copied (a few fields), its entries
/// the frozen chunks themselves (<see cref="QueueEntries.Freeze"/>), so taking it costs an array of references, and
/// the checkpoint thread writes it without any lock while the queue goes on changing its own copies.
/// </summary>
public sealed class QueueImage
{
    private const byte Acked = 2;

    private readonly long _base, _next, _cursor, _first;
    private readonly ulong _idHigh, _idMiddle;
    private readonly Dictionary<long, ResourceId>? _otherIds;
    private readonly QueueChunk[] _chunks;
    private readonly (ulong Id, uint Batch, long[] Claims)[] _streams;

    internal QueueImage(long @base, long next, long cursor, ulong idHigh, ulong idMiddle, Dictionary<long, ResourceId>? otherIds,
        long first, QueueChunk[] chunks, (ulong Id, uint Batch, long[] Claims)[] streams, int epoch)
    {
        (_base, _next, _cursor, _idHigh, _idMiddle, _otherIds) = (@base, next, cursor, idHigh, idMiddle, otherIds);
        (_first, _chunks, _streams, Epoch) = (first, chunks, streams, epoch);
    }

    /// <summary>The freeze this image holds (0: none, the caller held the queue's lock throughout).</summary>
    internal int Epoch { get; }

    /// <summary>Writes the unacknowledged part of the queue, its streams and claims. Acknowledged messages are
    /// written as a state byte only, so the snapshot follows the backlog, not history.</summary>
    public void WriteSnapshot(BinaryWriter writer)
    {
        writer.Write(_base);
        writer.Write(_next);
        writer.Write(_cursor);
        for (var s = _base; s < _next; s++)
        {
            var (chunk, i) = At(s);
            var state = chunk.States[i];
            writer.Write(state);
            if (state == Acked) continue;
            ref readonly var slot = ref chunk.Slots[i];
            var id = IdAt(s, slot.IdLow);
            writer.Write(id.High);
            writer.Write(id.Middle);
            writer.Write(id.Low);
            writer.Write(slot.Position);
            writer.Write(slot.Length);
            writer.Write(slot.StoredAtUnixMs);
        }
        writer.Write(_streams.Length);
        foreach (var (id, batch, claims) in _streams)
        {
            writer.Write(id);
            writer.Write(batch);
            writer.Write(claims.Length);
            foreach (var claim in claims) writer.Write(claim);
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

    private (QueueChunk Chunk, int Index) At(long sequence)
    {
        var offset = sequence - _first;
        return (_chunks[offset >> QueueChunk.Shift], (int)(offset & QueueChunk.Mask));
    }

    private ResourceId IdAt(long sequence, ulong low) =>
        _otherIds is not null && _otherIds.TryGetValue(sequence, out var other) ? other : new ResourceId(_idHigh, _idMiddle, low);
}
