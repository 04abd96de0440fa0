using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

// A checkpoint's body: written in format version 2, read in version 2 or 1.
//   version 2: global sequence (8) | last stream id (8) | queues (4) | per queue: ispb (8), unit length (4)
//              | the queues' units (QueueUnitFormat), back to back | the tail
//   version 1: global sequence (8) | last stream id (8) | queues (4) | per queue: ispb (8), its snapshot
//              (IspbQueue.Snapshot.cs) | the tail
//   the tail:  dedup keys (4, always 0) | outbox entries (4) | per entry: length (4), bytes
//              | quarantined (4) | per message: id (24), from (8), to (8), stored at (8), length (4), position (8)
public sealed partial class EmbeddedQueueStore
{
    // Checkpoint thread, without _stateLock: each queue's lock only while it hands over its frozen image and takes
    // it back; the image's chunks are read without any lock (the queue copies a chunk before changing it).
    private SnapshotWriter SerializeState(StateCapture capture)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var writer = new SnapshotWriter(64 * 1024);
        writer.WriteUInt64(capture.GlobalSequence);
        writer.WriteUInt64(capture.LastStreamId);
        var live = new SegmentLiveBytes();
        writer.WriteInt32(capture.Queues.Count);
        // The directory first, so that recovery finds every queue (and every block in it) without a pass over them.
        var lengths = new int[capture.Queues.Count];
        for (var i = 0; i < capture.Queues.Count; i++)
        {
            writer.WriteUInt64(capture.Queues[i].Key.Packed);
            lengths[i] = writer.ReserveInt32();
        }
        for (var i = 0; i < capture.Queues.Count; i++)
        {
            var queue = capture.Queues[i].Value;
            QueueImage image;
            lock (queue) image = queue.TakeCapture();
            var start = writer.Position;
            image.WriteCompact(writer);
            writer.PatchInt32(lengths[i], writer.Position - start);
            image.ForEachUnacknowledged(live, static (live, position, length) => live.Add(position, length));
            lock (queue) queue.ReleaseCapture(image);
        }
        // The dedup keys live in the dedup index (persisted with this checkpoint's position); the count stays in the
        // format, always 0.
        writer.WriteInt32(0);
        writer.WriteInt32(capture.Outbox.Count);
        foreach (var bytes in capture.Outbox)
        {
            writer.WriteInt32(bytes.Length);
            writer.WriteBytes(bytes);
        }
        var quarantined = capture.Quarantined;
        writer.WriteInt32(quarantined.Count);
        foreach (var entry in quarantined)
        {
            live.Add(entry.Position, entry.Message.Length);
            var message = entry.Message;
            writer.WriteUInt64(message.Id.High);
            writer.WriteUInt64(message.Id.Middle);
            writer.WriteUInt64(message.Id.Low);
            writer.WriteUInt64(message.From.Packed);
            writer.WriteUInt64(message.To.Packed);
            writer.WriteInt64(message.StoredAtUnixMs);
            writer.WriteInt32(message.Length);
            writer.WriteInt64(entry.Position);
        }
        _liveAtSnapshot = live.Sums();
        var took = System.Diagnostics.Stopwatch.GetTimestamp() - started;
        if (took > Volatile.Read(ref _checkpointSerializeTicksMax)) Volatile.Write(ref _checkpointSerializeTicksMax, took);
        return writer;
    }

    private void LoadState(ReadOnlyMemory<byte> body, int version)
    {
        var reader = new SnapshotReader(body.Span);
        var globalSequence = reader.ReadUInt64();
        var lastStreamId = reader.ReadUInt64();
        _book.AdvanceCounters(globalSequence, lastStreamId);
        (Ispb, IspbQueue)[] queues;
        try
        {
            queues = version == 1 ? LoadQueuesV1(body, ref reader) : LoadQueues(body, ref reader);
        }
        catch (Exception ex) when (version > 1 && ex is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // The checksum matched, so this is not damage on disk but a writer's bug: refuse rather than guess.
            throw new InvalidDataException("The checkpoint is malformed: a field runs past the end of its queue or block.", ex);
        }
        foreach (var (ispb, queue) in queues) _book.Restore(ispb, queue);
        LoadTail(ref reader);
    }

    // Version 2: the directory says where each queue's unit lies, the unit where each block lies; the blocks of all
    // queues are read in parallel (recovery of a long backlog is mostly this), then each queue adds up its blocks.
    private static (Ispb, IspbQueue)[] LoadQueues(ReadOnlyMemory<byte> body, ref SnapshotReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > body.Length / 12) throw QueueUnitFormat.Malformed($"{count} queues");
        var directory = new (Ispb Ispb, int Length)[count];
        for (var i = 0; i < count; i++) directory[i] = (new Ispb(reader.ReadUInt64()), reader.ReadInt32());
        var queues = new (Ispb, IspbQueue)[count];
        var blocks = new List<(int Queue, int Block, int Offset, int Length)>();
        var unitStart = reader.Position;
        for (var i = 0; i < count; i++)
        {
            var length = directory[i].Length;
            if (length < 0 || length > body.Length - unitStart) throw QueueUnitFormat.Malformed($"queue {directory[i].Ispb} is {length} bytes long");
            var queue = IspbQueue.BeginCompact(body.Span.Slice(unitStart, length), out var unitBlocks);
            queues[i] = (directory[i].Ispb, queue);
            for (var b = 0; b < unitBlocks.Length; b++) blocks.Add((i, b, unitStart + unitBlocks[b].Offset, unitBlocks[b].Length));
            unitStart += length;
        }
        var unacked = new long[count];
        var others = new List<KeyValuePair<long, ResourceId>>?[count];
        try
        {
            Parallel.For(0, blocks.Count, b =>
            {
                var (q, index, offset, length) = blocks[b];
                List<KeyValuePair<long, ResourceId>>? found = null;
                Interlocked.Add(ref unacked[q], queues[q].Item2.ReadBlock(index, body.Span.Slice(offset, length), ref found));
                if (found is null) return;
                lock (others) (others[q] ??= []).AddRange(found);
            });
        }
        catch (AggregateException ex)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.Flatten().InnerExceptions[0]).Throw();
        }
        for (var i = 0; i < count; i++) queues[i].Item2.EndCompact(unacked[i], others[i]);
        reader.Skip(unitStart - reader.Position);
        return queues;
    }

    // Version 1: where each queue's snapshot lies (a byte per message to step over), then the queues in parallel.
    private static (Ispb, IspbQueue)[] LoadQueuesV1(ReadOnlyMemory<byte> body, ref SnapshotReader reader)
    {
        var count = reader.ReadInt32();
        var slices = new (Ispb Ispb, int Start, int Length)[count];
        for (var i = 0; i < count; i++)
        {
            var ispb = new Ispb(reader.ReadUInt64());
            var start = reader.Position;
            IspbQueue.SkipSnapshot(ref reader);
            slices[i] = (ispb, start, reader.Position - start);
        }
        var queues = new (Ispb, IspbQueue)[count];
        Parallel.For(0, count, i =>
        {
            var slice = new SnapshotReader(body.Span.Slice(slices[i].Start, slices[i].Length));
            queues[i] = (slices[i].Ispb, IspbQueue.ReadSnapshot(ref slice));
        });
        return queues;
    }

    private void LoadTail(ref SnapshotReader reader)
    {
        var keys = reader.ReadInt32();
        if (keys != 0) throw new InvalidDataException("The checkpoint holds dedup keys: written by an older Pix, whose log records this one cannot read.");
        // Checkpoints written before the outbox (then the quarantine) existed simply end here.
        if (reader.AtEnd) return;
        var notices = reader.ReadInt32();
        for (var i = 0; i < notices; i++)
        {
            var bytes = reader.ReadBytes(reader.ReadInt32()).ToArray();
            _outbox[NoticeCodec.EntryIdOf(bytes)] = bytes;
        }
        if (reader.AtEnd) return;
        var quarantined = reader.ReadInt32();
        for (var i = 0; i < quarantined; i++)
        {
            var id = new ResourceId(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
            var message = new QuarantinedMessage(id, new Ispb(reader.ReadUInt64()), new Ispb(reader.ReadUInt64()), reader.ReadInt64(), reader.ReadInt32());
            _quarantine.Add(new QuarantineShelf.Entry(message, reader.ReadInt64(), null), message.StoredAtUnixMs);
        }
    }
}
