using Pix.Protocol.Ids;

namespace Pix.Storage.Queues;

// Checkpoint format version 1 (written by Pix before version 2, still read so an existing data directory opens): per
// message a state byte, then the whole 24-byte id, position (8), length (4) and stored-at (8); version 2 is
// IspbQueue.Compact.cs. The tests keep a writer of this layout (CheckpointV1Writer).
public sealed partial class IspbQueue
{
    // A message's fields after its state byte: id (24), position (8), length (4), stored-at (8).
    private const int SnapshotEntryBytes = 44;

    /// <summary>A queue from its snapshot, written straight into full chunks: no per-message allocation.</summary>
    public static IspbQueue ReadSnapshot(ref SnapshotReader reader)
    {
        var queue = new IspbQueue();
        queue._base = reader.ReadInt64();
        queue._next = reader.ReadInt64();
        queue._cursor = reader.ReadInt64();
        queue._entries = new QueueEntries(queue._base);
        queue._entries.Reserve(queue._next);
        // Chunk by chunk, straight into the arrays: recovery of a long backlog is mostly this loop.
        var sequence = queue._base;
        for (var c = 0; sequence < queue._next; c++)
        {
            var chunk = queue._entries.ChunkAt(c);
            var (slots, states) = (chunk.Slots, chunk.States);
            var count = (int)Math.Min(chunk.Capacity, queue._next - sequence);
            for (var i = 0; i < count; i++, sequence++)
            {
                var state = reader.ReadByte();
                states[i] = state;
                if (state == Acked) continue;
                var (high, middle, low) = (reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
                if (!queue._hasPrefix) (queue._idHigh, queue._idMiddle, queue._hasPrefix) = (high, middle, true);
                if (high != queue._idHigh || middle != queue._idMiddle) (queue._otherIds ??= new())[sequence] = new ResourceId(high, middle, low);
                // The fields in the order they were written: position, length, stored at.
                slots[i] = new QueueSlot { IdLow = low, Position = reader.ReadInt64(), Length = reader.ReadInt32(), StoredAtUnixMs = reader.ReadInt64() };
                queue._unacked++;
                // Released claims are the unclaimed messages the cursor has passed: they go first, as before.
                if (state == Unclaimed && sequence < queue._cursor) queue._released.Enqueue(sequence, sequence);
            }
        }
        var streams = reader.ReadInt32();
        for (var s = 0; s < streams; s++)
        {
            var stream = new StreamState();
            var id = reader.ReadUInt64();
            stream.Batch = reader.ReadUInt32();
            stream.Count = reader.ReadInt32();
            for (var c = 0; c < stream.Count; c++) stream.Claim[c] = reader.ReadInt64();
            queue._streams[id] = stream;
        }
        return queue;
    }

    /// <summary>Steps over one queue's snapshot without building it (a byte per message): recovery finds where each
    /// queue starts this way, then parses the queues in parallel.</summary>
    public static void SkipSnapshot(ref SnapshotReader reader)
    {
        var first = reader.ReadInt64();
        var next = reader.ReadInt64();
        reader.Skip(8);
        for (var sequence = first; sequence < next; sequence++)
        {
            if (reader.ReadByte() != Acked) reader.Skip(SnapshotEntryBytes);
        }
        var streams = reader.ReadInt32();
        for (var s = 0; s < streams; s++)
        {
            reader.Skip(12);
            reader.Skip(checked(reader.ReadInt32() * 8));
        }
    }
}
