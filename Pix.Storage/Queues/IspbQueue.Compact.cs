using Pix.Protocol.Ids;
using static Pix.Storage.Queues.QueueUnitFormat;

namespace Pix.Storage.Queues;

// Recovery reads back what QueueImage.WriteCompact wrote (checkpoint format version 2): the unit's header first, then
// its blocks, each on any thread straight into its chunk, then the few fields the blocks add up to.
public sealed partial class IspbQueue
{
    /// <summary>A queue from one unit, on this thread (tests, the bench; recovery spreads the blocks over threads).</summary>
    internal static IspbQueue ReadCompact(ReadOnlySpan<byte> unit)
    {
        var queue = BeginCompact(unit, out var blocks);
        long unacked = 0;
        List<KeyValuePair<long, ResourceId>>? others = null;
        for (var b = 0; b < blocks.Length; b++) unacked += queue.ReadBlock(b, unit.Slice(blocks[b].Offset, blocks[b].Length), ref others);
        queue.EndCompact(unacked, others);
        return queue;
    }

    /// <summary>The queue's counters, prefix and streams from its unit, its entries reserved but not yet read;
    /// <paramref name="blocks"/> says where each block lies in the unit.</summary>
    internal static IspbQueue BeginCompact(ReadOnlySpan<byte> unit, out (int Offset, int Length)[] blocks)
    {
        if (unit.Length < HeaderBytes + 4) throw Malformed("a queue shorter than its header");
        var reader = new SnapshotReader(unit);
        var queue = new IspbQueue();
        queue._base = reader.ReadInt64();
        queue._next = reader.ReadInt64();
        queue._cursor = reader.ReadInt64();
        queue._hasPrefix = reader.ReadByte() != 0;
        queue._idHigh = reader.ReadUInt64();
        queue._idMiddle = reader.ReadUInt64();
        if (queue._base < 1 || queue._next < queue._base || queue._cursor < queue._base || queue._cursor > queue._next)
        {
            throw Malformed($"a queue from {queue._base} to {queue._next} with its cursor at {queue._cursor}");
        }
        var streams = reader.ReadInt32();
        if (streams < 0 || streams > unit.Length / 16) throw Malformed($"{streams} streams in a queue");
        for (var s = 0; s < streams; s++)
        {
            var stream = new StreamState();
            var id = reader.ReadUInt64();
            stream.Batch = reader.ReadUInt32();
            var count = reader.ReadInt32();
            if (count < 0 || count > stream.Claim.Length) throw Malformed($"a batch of {count} claims");
            stream.Count = count;
            for (var c = 0; c < count; c++) stream.Claim[c] = reader.ReadInt64();
            queue._streams[id] = stream;
        }
        // Every block takes its length (4) and at least a byte: a count the unit cannot hold is damage, not a
        // reason to reserve gigabytes.
        var remaining = unit.Length - reader.Position;
        var blockCount = (long)(queue._next - queue._base + QueueChunk.Mask) >> QueueChunk.Shift;
        if (blockCount * 5 > remaining) throw Malformed($"a queue of {queue._next - queue._base} entries in {remaining} bytes");
        blocks = new (int, int)[blockCount];
        var offset = reader.Position + 4 * (int)blockCount;
        for (var b = 0; b < blocks.Length; b++)
        {
            var length = reader.ReadInt32();
            if (length < 1 || length > unit.Length - offset) throw Malformed($"block {b} of a queue is {length} bytes long");
            blocks[b] = (offset, length);
            offset += length;
        }
        if (offset != unit.Length) throw Malformed("a queue's blocks do not end where the queue does");
        queue._entries = new QueueEntries(queue._base);
        queue._entries.ReserveUnmade(queue._next);
        return queue;
    }

    /// <summary>Reads block <paramref name="index"/> into its chunk and returns how many of its messages are not
    /// acknowledged. Distinct blocks of a queue may be read at once; ids with another prefix (rare) go to
    /// <paramref name="others"/>, for <see cref="EndCompact"/>.</summary>
    internal int ReadBlock(int index, ReadOnlySpan<byte> block, ref List<KeyValuePair<long, ResourceId>>? others)
    {
        var first = _base + ((long)index << QueueChunk.Shift);
        var count = (int)Math.Min(QueueChunk.Size, _next - first);
        var chunk = _entries.MakeChunk(index, _next);
        var (slots, states) = (chunk.Slots, chunk.States);
        ulong low = 0;
        long position = 0, storedAt = 0;
        var at = 0;
        var unacked = 0;
        for (var i = 0; i < count;)
        {
            var head = block[at++];
            var state = (byte)(head & StateMask);
            if (state == Acked)
            {
                states[i++] = Acked;
                continue;
            }
            if (state == AckedRun)
            {
                var run = ReadVarUInt64(block, ref at);
                if (run < 2 || run > (ulong)(count - i)) throw Malformed($"a run of {run} acknowledged entries where {count - i} are left");
                states.AsSpan(i, (int)run).Fill(Acked);
                i += (int)run;
                continue;
            }
            if ((head & ~(StateMask | WholeId)) != 0) throw Malformed($"an entry head 0x{head:X2}");
            states[i] = state;
            low += (ulong)ReadVarInt64(block, ref at);
            position += ReadVarInt64(block, ref at);
            var length = ReadVarUInt64(block, ref at);
            storedAt += ReadVarInt64(block, ref at);
            if (length > int.MaxValue) throw Malformed($"a message of {length} bytes");
            slots[i] = new QueueSlot { IdLow = low, Position = position, Length = (int)length, StoredAtUnixMs = storedAt };
            if ((head & WholeId) != 0)
            {
                var id = new ResourceId(ReadUInt64(block, ref at), ReadUInt64(block, ref at), low);
                (others ??= []).Add(new(first + i, id));
            }
            unacked++;
            i++;
        }
        if (at != block.Length) throw Malformed($"a block of {block.Length} bytes whose {count} entries end at {at}");
        return unacked;
    }

    /// <summary>After every block is read (one thread): the count of unacknowledged messages, the ids with another
    /// prefix, and the released claims (unclaimed messages the cursor has passed, which go first, as before).</summary>
    internal void EndCompact(long unacked, List<KeyValuePair<long, ResourceId>>? others)
    {
        _unacked = unacked;
        if (others is { Count: > 0 }) _otherIds = new Dictionary<long, ResourceId>(others);
        for (var s = _base; s < _cursor; s++)
        {
            if (_entries.State(s) == Unclaimed) _released.Enqueue(s, s);
        }
    }
}
