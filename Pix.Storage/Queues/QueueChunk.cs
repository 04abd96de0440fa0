namespace Pix.Storage.Queues;

/// <summary>
/// A fixed run of a queue's entries (<see cref="Size"/> of them at most): the unit a checkpoint shares with the live
/// queue and the unit copied when the queue changes it after the mark, so that the first change after a mark costs
/// one chunk, not the whole queue. Only a queue's last chunk is ever smaller than <see cref="Size"/>: it starts small
/// and doubles, so a queue of a few messages stays small.
/// </summary>
internal sealed class QueueChunk
{
    public const int Shift = 12;
    public const int Size = 1 << Shift;
    public const int Mask = Size - 1;
    public const int Smallest = 16;

    public readonly QueueSlot[] Slots;
    public readonly byte[] States;

    /// <summary>The epoch of <see cref="QueueEntries"/> the chunk was made in: chunks older than the latest checkpoint
    /// mark are shared with its image and never written again.</summary>
    public readonly int Epoch;

    public QueueChunk(int capacity, int epoch)
    {
        Slots = GC.AllocateUninitializedArray<QueueSlot>(capacity);
        States = new byte[capacity];
        Epoch = epoch;
    }

    public int Capacity => Slots.Length;

    /// <summary>A private copy (of <paramref name="capacity"/> entries, at least the count copied) that the live queue
    /// may write; the original stays as the checkpoint saw it.</summary>
    public QueueChunk Copy(int capacity, int epoch, int from = 0, int count = -1)
    {
        if (count < 0) count = Capacity - from;
        var copy = new QueueChunk(capacity, epoch);
        Slots.AsSpan(from, count).CopyTo(copy.Slots);
        States.AsSpan(from, count).CopyTo(copy.States);
        return copy;
    }

    /// <summary>Moves <paramref name="count"/> entries from <paramref name="from"/> to the start (only on a chunk the
    /// live queue owns: no checkpoint reads it).</summary>
    public void MoveDown(int from, int count)
    {
        Slots.AsSpan(from, count).CopyTo(Slots);
        States.AsSpan(from, count).CopyTo(States);
    }
}
