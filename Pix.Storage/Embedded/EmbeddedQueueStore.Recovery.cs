using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pix.Storage.Files;
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
        _files = options.Files;
        var logDirectory = Path.Combine(options.DataDir, "log");
        if (!_files.Exists(logDirectory))
        {
            _files.CreateDirectory(logDirectory);
            _files.FlushDirectory(options.DataDir);
        }
        _lock = _files.LockDirectory(options.DataDir);
        try
        {
            var instanceId = InstanceIdFile.LoadOrCreate(_files, options.DataDir);
            _book = new QueueBook(options.DedupWindow, instanceId);
            _quarantine = new QuarantineShelf(options.Quarantine);
            _checkpoints = new CheckpointFiles(_files, options.DataDir);
            _segments = new SegmentFiles(_files, logDirectory, _readers, _logger, SegmentFiles.Preallocation(_options.SegmentBytes));
            _payloads = new PayloadReader(_segments, _logger);
            _dedup = OpenDedup(instanceId);
            Recover();
        }
        catch
        {
            _dedup?.Dispose();
            _segments?.Dispose();
            _lock.Dispose();
            throw;
        }
        _writer = new Thread(RunWriter) { IsBackground = true, Name = "pix-log-writer" };
        _writer.Start();
        _checkpointer = new Thread(RunCheckpoints) { IsBackground = true, Name = "pix-checkpoint" };
        _checkpointer.Start();
        var period = WatchPeriod(options.WriteTimeout);
        _watchdog = _clock.CreateTimer(static store => ((EmbeddedQueueStore)store!).Watch(), this, period, period);
    }

    /// <summary>How long opening took, by phase.</summary>
    public RecoveryTimes Recovery { get; private set; }

    private void Recover()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan read = default, parse = default;
        long checkpointBytes = 0;
        var numbers = _segments.Numbers();
        var from = LogPosition.Pack(numbers[0], SegmentHeader.Length);
        var fromCheckpoint = false;
        foreach (var position in _checkpoints.Positions())
        {
            var started = clock.Elapsed;
            var valid = _checkpoints.TryRead(position, out var body, out var version, out var problem);
            read += clock.Elapsed - started;
            if (valid)
            {
                started = clock.Elapsed;
                LoadState(body, version);
                parse = clock.Elapsed - started;
                checkpointBytes = body.Length;
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

        var dedupStarted = clock.Elapsed;
        ReplayDedup(numbers, from);
        var dedup = clock.Elapsed - dedupStarted;
        var replayStarted = clock.Elapsed;
        long records = 0, bytes = 0;
        foreach (var number in numbers)
        {
            if (number < LogPosition.SegmentOf(from)) continue;
            var offset = number == LogPosition.SegmentOf(from) ? LogPosition.OffsetOf(from) : SegmentHeader.Length;
            var (segmentRecords, segmentBytes) = ReplaySegment(number, offset, isLast: number == numbers[^1]);
            records += segmentRecords;
            bytes += segmentBytes;
        }
        var replay = clock.Elapsed - replayStarted;
        _logger.LogInformation(
            "Embedded store in {DataDir} recovered: {Records} log records ({Bytes} bytes) replayed after {Start} in {Elapsed} ms; {Queues} queues, {Streams} open streams",
            _options.DataDir, records, bytes, fromCheckpoint ? "the checkpoint" : "the start of the log",
            clock.ElapsedMilliseconds, _book.Queues.Count(), _book.OpenStreamCount());
        _book.ResetStreamTimes(Now, new StreamTimes(0, (int)_options.StreamIdleTimeout.TotalMilliseconds));
        _book.ReleaseIdle();
        Recovery = new RecoveryTimes(read, parse, dedup, replay, clock.Elapsed, checkpointBytes, records);
    }

    private (long Records, long Bytes) ReplaySegment(int number, long offset, bool isLast)
    {
        var path = _segments.PathOf(number);
        long records = 0;
        var start = offset;
        var reader = new SegmentReader(_segments, number);
        var length = reader.Length;
        while (offset < length)
        {
            var problem = ProblemAt(reader, offset, out var recordLength);
            if (problem is null)
            {
                var record = reader.Read(offset, recordLength);
                ApplyRecord((LogRecordType)record[8], record[LogRecordFrame.HeaderLength..], LogPosition.Pack(number, offset));
                offset += recordLength;
                records++;
                continue;
            }
            if (isLast && OnlyZerosFrom(reader, offset))
            {
                // The zeros written ahead of the log's end (SegmentFiles' preallocation): the log ends here, and
                // nothing was torn.
                _segments.EndLogAt(offset);
                break;
            }
            var next = NextValidRecord(reader, offset + 1);
            if (next < 0 && isLast)
            {
                // Only the tail of the last segment can be torn by a crash: everything before it was fsync'd, and
                // nothing valid follows, so nothing acknowledged is lost by cutting it.
                _logger.LogWarning("Cut the torn tail of {Segment}: {Dropped} bytes dropped at offset {Offset} ({Problem})",
                    path, length - offset, offset, problem);
                _segments.Truncate(number, offset);
                break;
            }
            // Valid records follow (in this segment or in later ones): damage, not a tear. Cutting would silently drop
            // stored messages and bring acknowledged ones back.
            var end = next < 0 ? length : next;
            var damaged = new byte[end - offset];
            _segments.ReadAt(number, offset, damaged);
            var held = DamageReport.Describe(damaged);
            if (!_options.Repair)
            {
                var upTo = next < 0 ? "the segment's end" : string.Create(CultureInfo.InvariantCulture, $"the next valid record at offset {next}");
                throw new LogCorruptedException(path, offset, string.Create(CultureInfo.InvariantCulture,
                    $"The log is damaged: {path} at offset {offset} ({problem}); the {damaged.Length} bytes up to {upTo} held: {held}. ")
                    + "Valid records follow, so this is not a torn tail and the store will not open. Restore the data directory from a backup, "
                    + "or start once with --Pix:Embedded:Repair true to set the damaged bytes aside and keep every valid record after them.");
            }
            SetAside(number, offset, damaged, problem, held);
            if (next < 0)
            {
                _segments.Truncate(number, offset);
                break;
            }
            offset = next;
        }
        return (records, offset - start);
    }

    /// <summary>Why the record at <paramref name="offset"/> is not a valid one, or null (with its length) when it is.</summary>
    private static string? ProblemAt(SegmentReader reader, long offset, out int recordLength)
    {
        recordLength = 0;
        var left = reader.Length - offset;
        if (left < LogRecordFrame.HeaderLength) return "a partial record header";
        if (!LogRecordFrame.TryReadHeader(reader.Read(offset, LogRecordFrame.HeaderLength), out var bodyLength, out var type)) return "an impossible record length";
        recordLength = LogRecordFrame.HeaderLength + bodyLength;
        if (left < recordLength) return "a record cut short";
        // An intact record of an unknown type is no damage: replay stops on it (a newer Pix wrote it).
        return LogRecordFrame.IsIntact(reader.Read(offset, recordLength)) ? null : "a checksum mismatch";
    }

    private static bool OnlyZerosFrom(SegmentReader reader, long offset)
    {
        const int Chunk = 64 * 1024;
        for (var at = offset; at < reader.Length; at += Chunk)
        {
            if (reader.Read(at, (int)Math.Min(Chunk, reader.Length - at)).ContainsAnyExcept((byte)0)) return false;
        }
        return true;
    }

    /// <summary>The offset of the first valid record at or after <paramref name="from"/>, or -1. A record counts only
    /// with a known type, a length that fits and a matching checksum: random bytes pass all three about once in 10^11.</summary>
    private static long NextValidRecord(SegmentReader reader, long from)
    {
        for (var at = from; at + LogRecordFrame.HeaderLength <= reader.Length; at++)
        {
            var header = reader.Read(at, LogRecordFrame.HeaderLength);
            if (!Enum.IsDefined((LogRecordType)header[8])) continue;
            if (!LogRecordFrame.TryReadHeader(header, out var bodyLength, out _)) continue;
            if (at + LogRecordFrame.HeaderLength + bodyLength > reader.Length) continue;
            if (LogRecordFrame.IsIntact(reader.Read(at, LogRecordFrame.HeaderLength + bodyLength))) return at;
        }
        return -1;
    }

    /// <summary>The operator asked for a repair: the damaged bytes go to <c>damaged/</c> with a report of what they
    /// held (durably, first), then a record that replay skips takes their place, so every later position stays valid.</summary>
    private void SetAside(int number, long offset, byte[] damaged, string problem, string held)
    {
        if (damaged.Length < LogRecordFrame.HeaderLength)
        {
            throw new LogCorruptedException(_segments.PathOf(number), offset, string.Create(CultureInfo.InvariantCulture,
                $"The log is damaged: {_segments.PathOf(number)} at offset {offset} ({problem}), {damaged.Length} bytes before a valid record: too few to mark in place. Move the segment aside and restore from a backup."));
        }
        var directory = Path.Combine(_options.DataDir, "damaged");
        if (!_files.Exists(directory))
        {
            _files.CreateDirectory(directory);
            _files.FlushDirectory(_options.DataDir);
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"segment-{number:D8}-offset-{offset:D13}");
        var report = string.Create(CultureInfo.InvariantCulture,
            $"{_segments.PathOf(number)} offset {offset}: {damaged.Length} bytes set aside ({problem}). They held: {held}\n");
        _files.WriteWhole(Path.Combine(directory, name + ".bin"), damaged);
        _files.WriteWhole(Path.Combine(directory, name + ".txt"), Encoding.UTF8.GetBytes(report));
        var filler = new byte[damaged.Length];
        LogRecordFrame.WriteHeader(filler, LogRecordType.SetAside, damaged.Length - LogRecordFrame.HeaderLength);
        _segments.Overwrite(number, offset, filler);
        _logger.LogError("Repair: set aside {Bytes} damaged bytes of segment {Segment} at offset {Offset} ({Problem}) in {File}; lost: {Held}",
            damaged.Length, number, offset, problem, Path.Combine(directory, name + ".bin"), held);
    }

    private void ApplyRecord(LogRecordType type, ReadOnlySpan<byte> body, long position)
    {
        switch (type)
        {
            case LogRecordType.Message:
                var message = MessageRecord.Read(body);
                ApplyMessage(message, position + MessageRecord.PayloadOffset);
                RememberKey(message);
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
            case LogRecordType.ClaimedIds:
                ApplyClaim(new StreamRecord.View(body, withIds: true), position);
                break;
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
            case LogRecordType.SetAside:
                break;
            case LogRecordType.MessageMoved:
                MoveMessage(MessageRecord.Read(body), position + MessageRecord.PayloadOffset);
                break;
            default:
                throw new InvalidDataException($"Unknown log record type {(byte)type} at position {position}: written by a newer Pix?");
        }
    }

    /// <summary>A claim as logged, checked message by message: the claimed id must be in the queue, unacknowledged.
    /// The logged sequence is where it was live; replay may number a queue differently (a queue released while idle
    /// starts again at 1 live, while replay kept it), so a message is found by its id when the sequence does not
    /// hold it. An id the queue does not hold means replay and the live store disagree (damage the checksums did not
    /// catch, or a bug): corruption to report, since acknowledging anything else would settle the wrong messages.</summary>
    private void ApplyClaim(StreamRecord.View view, long position)
    {
        var queue = _book.Queue(view.Ispb);
        Span<long> sequences = stackalloc long[view.Count];
        var kept = 0;
        for (var i = 0; i < view.Count; i++)
        {
            var sequence = view.Sequence(i);
            var id = view.Id(i);
            if (queue.TryGetId(sequence, out var found) && found == id)
            {
                sequences[kept++] = sequence;
                continue;
            }
            var actual = queue.FindSequence(id);
            if (actual != 0)
            {
                sequences[kept++] = actual;
                continue;
            }
            var path = _segments.PathOf(LogPosition.SegmentOf(position));
            var offset = LogPosition.OffsetOf(position);
            var problem = string.Create(CultureInfo.InvariantCulture,
                $"a claim of stream {view.StreamId} of {view.Ispb} names message {id}, which replay did not find unacknowledged in that queue");
            if (!_options.Repair)
            {
                throw new LogCorruptedException(path, offset, $"The log is damaged: {path} at offset {offset}: {problem}. "
                    + "Replaying it could acknowledge the wrong messages, so the store will not open. Restore the data directory from a backup, "
                    + "or start once with --Pix:Embedded:Repair true to leave that message out of the claim.");
            }
            _logger.LogError("Repair: {Path} at offset {Offset}: {Problem}; left out of the claim", path, offset, problem);
        }
        queue.RestoreClaim(view.StreamId, view.Batch, view.Flag, sequences[..kept]);
    }

    // Live (after the group's fsync, under _stateLock) and on replay: the same code. Sequences match until a queue is
    // released while idle (live numbering then starts again), which is why claims also name their messages' ids.
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
    }

    // Live (compaction, under _stateLock) and on replay: the message's bytes are now at payloadPosition.
    private void MoveMessage(in MessageRecord record, long payloadPosition)
    {
        if (record.Disposition == Disposition.Quarantine)
        {
            _quarantine.Move(record.Id, payloadPosition);
            return;
        }
        if (_book.TryGetQueue(record.To, out var queue))
        {
            lock (queue) queue.TryMove(record.Id, payloadPosition);
        }
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
}
