using Pix.Protocol.Ids;

namespace Pix.Storage.Queues;

// A checkpoint writes the queue as it stands so recovery replays only the log written after it.
public sealed partial class IspbQueue
{
    /// <summary>Writes the unacknowledged part of the queue, its streams and claims. Acknowledged messages are
    /// written as a state byte only, so the snapshot follows the backlog, not history.</summary>
    public void WriteSnapshot(BinaryWriter writer)
    {
        writer.Write(_base);
        writer.Write(_next);
        writer.Write(_cursor);
        for (var s = _base; s < _next; s++)
        {
            var i = IndexOf(s);
            writer.Write(_states[i]);
            if (_states[i] == Acked) continue;
            var m = MessageAt(s);
            writer.Write(m.Id.High);
            writer.Write(m.Id.Middle);
            writer.Write(m.Id.Low);
            writer.Write(m.Position);
            writer.Write(m.Length);
            writer.Write(m.StoredAtUnixMs);
        }
        writer.Write(_streams.Count);
        foreach (var (id, stream) in _streams)
        {
            writer.Write(id);
            writer.Write(stream.Batch);
            writer.Write(stream.Count);
            for (var c = 0; c < stream.Count; c++) writer.Write(stream.Claim[c]);
        }
    }

    public static IspbQueue ReadSnapshot(BinaryReader reader)
    {
        var queue = new IspbQueue();
        queue._base = reader.ReadInt64();
        queue._next = reader.ReadInt64();
        queue._cursor = reader.ReadInt64();
        var live = (int)(queue._next - queue._base);
        var size = Math.Max(16, live);
        queue._messages = new QueueSlot[size];
        queue._states = new byte[size];
        for (var i = 0; i < live; i++)
        {
            var state = reader.ReadByte();
            queue._states[i] = state;
            if (state == Acked) continue;
            var id = new ResourceId(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
            queue.Store(i, new StoredMessage(id, queue._base + i, reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64()));
            queue._unacked++;
            // Released claims are the unclaimed messages the cursor has passed: they go first, as before.
            var sequence = queue._base + i;
            if (state == Unclaimed && sequence < queue._cursor) queue._released.Enqueue(sequence, sequence);
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
}
