using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

// Opening: lock the directory, load the newest valid checkpoint, replay the log after it, cut a torn tail.
public sealed partial class EmbeddedQueueStore
{
    /// <summary>Opens (or creates) the store in <see cref="EmbeddedStoreOptions.DataDir"/> and recovers its state.
    /// Throws <see cref="DataDirectoryInUseException"/> when another store holds the directory.</summary>
    public EmbeddedQueueStore(EmbeddedStoreOptions options)
    {
        _options = options;
        _logger = options.Logger;
        _clock = options.Clock;
        var logDirectory = Path.Combine(options.DataDir, "log");
        Directory.CreateDirectory(logDirectory);
        _lock = DataDirectoryLock.Acquire(options.DataDir);
        try
        {
            _book = new QueueBook(options.DedupWindow, InstanceIdFile.LoadOrCreate(options.DataDir));
            _quarantine = new QuarantineShelf(options.Quarantine);
            _checkpoints = new CheckpointFiles(options.DataDir);
            _segments = new SegmentFiles(logDirectory);
            Recover();
        }
        catch
        {
            _segments?.Dispose();
            _lock.Dispose();
            throw;
        }
        _writer = new Thread(RunWriter) { IsBackground = true, Name = "pix-log-writer" };
        _writer.Start();
    }

    private void Recover()
    {
        var clock = Stopwatch.StartNew();
        var numbers = _segments.Numbers();
        var from = LogPosition.Pack(numbers[0], 0);
        var fromCheckpoint = false;
        foreach (var position in _checkpoints.Positions())
        {
            if (_checkpoints.TryRead(position, out var body, out var problem))
            {
                LoadState(body);
                from = position;
                fromCheckpoint = true;
                break;
            }
            _logger.LogWarning("Checkpoint at segment {Segment} offset {Offset} is damaged ({Problem}); trying an older one",
                LogPosition.SegmentOf(position), LogPosition.OffsetOf(position), problem);
        }
        if (!fromCheckpoint && numbers[0] != 1)
        {
            _logger.LogError("No valid checkpoint and the log starts at segment {Segment}: state from deleted segments is lost", numbers[0]);
        }

        long records = 0, bytes = 0;
        foreach (var number in numbers)
        {
            if (number < LogPosition.SegmentOf(from)) continue;
            var offset = number == LogPosition.SegmentOf(from) ? LogPosition.OffsetOf(from) : 0;
            var (segmentRecords, segmentBytes) = ReplaySegment(number, offset, isLast: number == numbers[^1]);
            records += segmentRecords;
            bytes += segmentBytes;
        }
        _logger.LogInformation(
            "Embedded store in {DataDir} recovered: {Records} log records ({Bytes} bytes) replayed after {Start} in {Elapsed} ms; {Queues} queues, {Streams} open streams",
            _options.DataDir, records, bytes, fromCheckpoint ? "the checkpoint" : "the start of the log",
            clock.ElapsedMilliseconds, _book.Queues.Count(), _book.OpenStreamCount());
        _book.ResetStreamTimes(Now, new StreamTimes(0, (int)_options.StreamIdleTimeout.TotalMilliseconds));
    }

    private (long Records, long Bytes) ReplaySegment(int number, long offset, bool isLast)
    {
        var path = _segments.PathOf(number);
        long records = 0;
        var start = offset;
        var record = new byte[64 * 1024];
        string? problem = null;
        long length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20))
        {
            length = file.Length;
            file.Position = offset;
            while (offset < length)
            {
                if (length - offset < LogRecordFrame.HeaderLength) { problem = "a partial record header"; break; }
                file.ReadExactly(record, 0, LogRecordFrame.HeaderLength);
                if (!LogRecordFrame.TryReadHeader(record, out var bodyLength, out var type)) { problem = "an impossible record length"; break; }
                var recordLength = LogRecordFrame.HeaderLength + bodyLength;
                if (length - offset < recordLength) { problem = "a record cut short"; break; }
                if (record.Length < recordLength) Array.Resize(ref record, Math.Max(recordLength, record.Length * 2));
                file.ReadExactly(record, LogRecordFrame.HeaderLength, bodyLength);
                if (!LogRecordFrame.IsIntact(record.AsSpan(0, recordLength))) { problem = "a checksum mismatch"; break; }
                ApplyRecord(type, record.AsSpan(LogRecordFrame.HeaderLength, bodyLength), LogPosition.Pack(number, offset));
                offset += recordLength;
                records++;
            }
        }
        if (problem is not null)
        {
            var dropped = length - offset;
            if (!isLast)
            {
                throw new InvalidDataException(
                    $"Segment {path} is damaged at offset {offset} ({problem}) and is not the last one: refusing to drop {dropped} bytes of committed log.");
            }
            // Only the tail of the last segment can be torn by a crash: everything before it was fsync'd.
            _logger.LogWarning("Cut the torn tail of {Segment}: {Dropped} bytes dropped at offset {Offset} ({Problem})",
                path, dropped, offset, problem);
            _segments.Truncate(number, offset);
        }
        return (records, offset - start);
    }

    private void ApplyRecord(LogRecordType type, ReadOnlySpan<byte> body, long position)
    {
        switch (type)
        {
            case LogRecordType.Message:
                var message = MessageRecord.Read(body);
                ApplyMessage(message, position + MessageRecord.PayloadOffset);
                _book.AdvanceCounters(message.Id.Low, 0);
                break;
            case LogRecordType.StreamOpened:
            {
                var view = new StreamRecord.View(body);
                _book.Queue(view.Ispb).TryOpen(view.StreamId, int.MaxValue, 0, default);
                _book.AdvanceCounters(0, view.StreamId);
                break;
            }
            case LogRecordType.Claimed:
            {
                var view = new StreamRecord.View(body);
                Span<long> sequences = stackalloc long[view.Count];
                for (var i = 0; i < sequences.Length; i++) sequences[i] = view.Sequence(i);
                _book.Queue(view.Ispb).RestoreClaim(view.StreamId, view.Batch, view.Flag, sequences);
                break;
            }
            case LogRecordType.StreamClosed:
            {
                var view = new StreamRecord.View(body);
                _book.Queue(view.Ispb).Close(view.StreamId, view.Flag);
                break;
            }
            case LogRecordType.Notice:
                ApplyNotice(NoticeCodec.EntryIdOf(body), body.ToArray());
                _book.AdvanceCounters(NoticeCodec.EntryIdOf(body).Low, 0);
                break;
            case LogRecordType.NoticeSent:
                ApplyNotice(ResourceId.FromBytes(body), null);
                break;
            case LogRecordType.QuarantineReleased:
                _quarantine.Remove(ResourceId.FromBytes(body));
                break;
            default:
                throw new InvalidDataException($"Unknown log record type {(byte)type} at position {position}: written by a newer Pix?");
        }
    }

    // Live (after the group's fsync, under _stateLock) and on replay: the same code, so sequences match.
    private void ApplyMessage(in MessageRecord record, long payloadPosition)
    {
        if (record.Disposition == Disposition.Quarantine)
        {
            _quarantine.Add(new QuarantineShelf.Entry(
                new QuarantinedMessage(record.Id, record.From, record.To, record.StoredAtUnixMs, record.PayloadLength), payloadPosition, null),
                record.StoredAtUnixMs);
        }
        if (record.Disposition == Disposition.Deliver)
        {
            var queue = _book.Queue(record.To);
            lock (queue)
            {
                queue.Append(new StoredMessage(record.Id, queue.NextSequence, payloadPosition, record.PayloadLength, record.StoredAtUnixMs));
            }
        }
        if (record.HasKey) _book.Dedup.Add(record.Key, record.Id, record.StoredAtUnixMs);
    }

    // The outbox as the log says: an entry is pending from its Notice record until its NoticeSent record.
    private void ApplyNotice(ResourceId entry, byte[]? bytes)
    {
        if (bytes is null)
        {
            _outbox.Remove(entry);
            return;
        }
        _outbox[entry] = bytes;
    }

    private static ResourceId ReadId(BinaryReader reader) => new(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
}
