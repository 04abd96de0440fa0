using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

// Checkpoints (state snapshot + the log position it covers) and retention, both on the writer thread.
public sealed partial class EmbeddedQueueStore
{
    private readonly List<(long AtMs, DedupIndex.Key Key, ResourceId Id)> _dedupEntries = new();

    // Caller holds _stateLock, so no stream change and no message apply runs meanwhile.
    private byte[] SerializeState()
    {
        using var memory = new MemoryStream();
        using var writer = new BinaryWriter(memory);
        writer.Write(_book.GlobalSequence);
        writer.Write(_book.LastStreamId);
        var queues = _book.Queues.ToList();
        writer.Write(queues.Count);
        foreach (var (ispb, queue) in queues)
        {
            writer.Write(ispb.Packed);
            lock (queue) queue.WriteSnapshot(writer);
        }
        _dedupEntries.Clear();
        _book.Dedup.CopyTo(_dedupEntries);
        writer.Write(_dedupEntries.Count);
        foreach (var (atMs, key, id) in _dedupEntries)
        {
            writer.Write(atMs);
            writer.Write(key.From);
            writer.Write((ulong)key.Hash);
            writer.Write((ulong)(key.Hash >> 64));
            writer.Write(id.High);
            writer.Write(id.Middle);
            writer.Write(id.Low);
        }
        // The outbox last: checkpoints written before it existed simply end here.
        writer.Write(_outbox.Count);
        foreach (var bytes in _outbox.Values)
        {
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        var quarantined = _quarantine.Entries.ToList();
        writer.Write(quarantined.Count);
        foreach (var entry in quarantined)
        {
            var message = entry.Message;
            writer.Write(message.Id.High);
            writer.Write(message.Id.Middle);
            writer.Write(message.Id.Low);
            writer.Write(message.From.Packed);
            writer.Write(message.To.Packed);
            writer.Write(message.StoredAtUnixMs);
            writer.Write(message.Length);
            writer.Write(entry.Position);
        }
        writer.Flush();
        return memory.ToArray();
    }

    private void LoadState(byte[] body)
    {
        using var reader = new BinaryReader(new MemoryStream(body));
        var globalSequence = reader.ReadUInt64();
        var lastStreamId = reader.ReadUInt64();
        _book.AdvanceCounters(globalSequence, lastStreamId);
        var queues = reader.ReadInt32();
        for (var i = 0; i < queues; i++)
        {
            var ispb = new Ispb(reader.ReadUInt64());
            _book.Restore(ispb, IspbQueue.ReadSnapshot(reader));
        }
        var keys = reader.ReadInt32();
        for (var i = 0; i < keys; i++)
        {
            var atMs = reader.ReadInt64();
            var from = reader.ReadUInt64();
            var low = reader.ReadUInt64();
            var high = reader.ReadUInt64();
            _book.Dedup.Add(new DedupIndex.Key(from, new UInt128(high, low)), ReadId(reader), atMs);
        }
        if (reader.BaseStream.Position == reader.BaseStream.Length) return;
        var notices = reader.ReadInt32();
        for (var i = 0; i < notices; i++)
        {
            var bytes = reader.ReadBytes(reader.ReadInt32());
            _outbox[NoticeCodec.EntryIdOf(bytes)] = bytes;
        }
        if (reader.BaseStream.Position == reader.BaseStream.Length) return;
        var quarantined = reader.ReadInt32();
        for (var i = 0; i < quarantined; i++)
        {
            var id = ReadId(reader);
            var message = new QuarantinedMessage(id, new Ispb(reader.ReadUInt64()), new Ispb(reader.ReadUInt64()), reader.ReadInt64(), reader.ReadInt32());
            _quarantine.Add(new QuarantineShelf.Entry(message, reader.ReadInt64(), null), message.StoredAtUnixMs);
        }
    }

    private void WriteCheckpoint(long position, byte[] snapshot)
    {
        // Whatever happens, wait for more log before the next try: a full disk must not make the writer spin.
        _bytesSinceCheckpoint = 0;
        _rolledSinceCheckpoint = false;
        try
        {
            _checkpoints.Write(position, snapshot);
            _logger.LogDebug("Checkpoint at segment {Segment} offset {Offset}: {Bytes} bytes",
                LogPosition.SegmentOf(position), LogPosition.OffsetOf(position), snapshot.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not write a checkpoint in {DataDir}: {Reason}; recovery will replay more log", _options.DataDir, ex.Message);
            return;
        }
        ApplyRetention();
    }

    /// <summary>Deletes segments whose messages are all acknowledged, that are older than the retention and that lie
    /// before the oldest checkpoint recovery could start from.</summary>
    private void ApplyRetention()
    {
        var oldestUnacknowledged = long.MaxValue;
        foreach (var (_, queue) in _book.Queues)
        {
            lock (queue) oldestUnacknowledged = Math.Min(oldestUnacknowledged, queue.OldestUnacknowledgedPosition());
        }
        // Quarantined messages keep their segments for the quarantine retention (or until the quota drops them).
        lock (_stateLock)
        {
            _quarantine.Expire(_clock.GetUtcNow().ToUnixTimeMilliseconds());
            foreach (var entry in _quarantine.Entries) oldestUnacknowledged = Math.Min(oldestUnacknowledged, entry.Position);
        }
        var keepFrom = LogPosition.SegmentOf(_checkpoints.OldestKeptPosition());
        var cutoff = _clock.GetUtcNow().UtcDateTime - _options.Retention;
        foreach (var number in _segments.Numbers())
        {
            if (number >= keepFrom || number >= _segments.Active) break;
            if (LogPosition.Pack(number + 1, 0) > oldestUnacknowledged) break;
            if (_segments.LastWriteUtc(number) > cutoff) break;
            try
            {
                _segments.Delete(number);
                _logger.LogInformation("Retention deleted segment {Segment}: all its messages are acknowledged", number);
            }
            catch (IOException ex)
            {
                _logger.LogWarning("Retention could not delete segment {Segment}: {Reason}", number, ex.Message);
                break;
            }
        }
    }
}
