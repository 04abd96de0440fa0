using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

// Checkpoints (state snapshot + the log position it covers) and retention, both on the writer thread.
public sealed partial class EmbeddedQueueStore
{
    // Bytes of live records per segment as the latest snapshot saw them. Retention decides from this, not from the
    // queues now: an acknowledgement applied in memory may not be in the log yet, and a crash would bring it back.
    private Dictionary<int, long> _liveAtSnapshot = new();
    // One checkpoint at a time: marked by the writer, written by the checkpoint thread, then retention by the writer.
    // Guarded by _stateLock.
    private CheckpointStage _checkpoint;
    private readonly System.Collections.Concurrent.BlockingCollection<(long Position, StateCapture Capture)> _checkpointJobs = new();
    private Thread _checkpointer = null!;

    private enum CheckpointStage
    {
        None,
        Writing,
        Written,
    }

    /// <summary>Marks the state a checkpoint will hold. Caller holds _stateLock, so no stream change and no message
    /// apply runs meanwhile; this costs a pass over the queues (each freezes its chunks: an array of references) and
    /// copies of the outbox and quarantine lists, not the queues' messages: a change after the mark copies the one
    /// chunk it touches, and <see cref="SerializeState"/> writes the frozen chunks.</summary>
    private StateCapture CaptureState()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var queues = _book.Queues.ToList();
        foreach (var (_, queue) in queues)
        {
            lock (queue) queue.RequestCapture();
        }
        var capture = new StateCapture(_book.GlobalSequence, _book.LastStreamId, queues, _outbox.Values.ToList(), _quarantine.Entries.ToList());
        var held = System.Diagnostics.Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref _checkpointLockTicks, held);
        if (held > Volatile.Read(ref _checkpointLockTicksMax)) Volatile.Write(ref _checkpointLockTicksMax, held);
        Interlocked.Increment(ref _checkpointsTaken);
        return capture;
    }

    // The group it was taken with was not written: no checkpoint, and the queues stop copying themselves for it.
    private static void CancelCapture(StateCapture capture)
    {
        foreach (var (_, queue) in capture.Queues)
        {
            lock (queue) queue.CancelCapture();
        }
    }

    // Writer thread: the group the capture was taken with is durable; hand the capture to the checkpoint thread.
    private void StartCheckpoint(long position, StateCapture capture)
    {
        // Whatever happens, wait for more log before the next try: a full disk must not make the writer spin.
        _bytesSinceCheckpoint = 0;
        _rolledSinceCheckpoint = false;
        // Every key of the log before this position was added (after its group's fsync, on this thread).
        PersistDedup(position);
        if (_options.SerialBackgroundWork) _dedup.WaitForIdle();
        lock (_stateLock) _checkpoint = CheckpointStage.Writing;
        _checkpointJobs.Add((position, capture));
        if (_options.SerialBackgroundWork) WaitForCheckpoint();
    }

    // The checkpoint thread: writes each capture off the state lock and off the writer thread, then lets the writer
    // apply retention (which needs the new checkpoint on disk, and the log writer for compaction).
    private void RunCheckpoints()
    {
        foreach (var (position, capture) in _checkpointJobs.GetConsumingEnumerable())
        {
            var written = false;
            try
            {
                var snapshot = SerializeState(capture);
                _checkpoints.Write(position, snapshot.Written);
                written = true;
                _logger.LogDebug("Checkpoint at segment {Segment} offset {Offset}: {Bytes} bytes",
                    LogPosition.SegmentOf(position), LogPosition.OffsetOf(position), snapshot.Position);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Could not write a checkpoint in {DataDir}: {Reason}; recovery will replay more log", _options.DataDir, ex.Message);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not write a checkpoint in {DataDir}; recovery will replay more log", _options.DataDir);
            }
            lock (_stateLock)
            {
                _checkpoint = written ? CheckpointStage.Written : CheckpointStage.None;
                Monitor.PulseAll(_stateLock);
            }
        }
    }

    /// <summary>Waits (writer thread) until the checkpoint in hand is on disk, then applies retention.</summary>
    private void WaitForCheckpoint()
    {
        lock (_stateLock)
        {
            while (_checkpoint == CheckpointStage.Writing) Monitor.Wait(_stateLock);
        }
        FinishCheckpoint();
    }

    private void FinishCheckpoint()
    {
        lock (_stateLock)
        {
            if (_checkpoint != CheckpointStage.Written) return;
        }
        ApplyRetention();
        lock (_stateLock) _checkpoint = CheckpointStage.None;
    }

    /// <summary>
    /// Deletes old segments (past the retention, before the oldest checkpoint recovery could start from) that hold no
    /// live record, whatever the segments around them hold: one unread message pins only its own segment. Then moves
    /// forward the few live records of old segments that are mostly dead (<see cref="Compact"/>), so that a later
    /// pass can delete them too: disk follows live data plus the retention window.
    /// </summary>
    private void ApplyRetention()
    {
        lock (_stateLock) _quarantine.Expire(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        _segments.CloseDeleted();
        var live = _liveAtSnapshot;
        var keepFrom = Math.Min(LogPosition.SegmentOf(_checkpoints.OldestKeptPosition()), DedupKeepsFrom());
        var cutoff = _clock.GetUtcNow().UtcDateTime - _options.Retention;
        var old = new List<int>();
        foreach (var number in _segments.Numbers())
        {
            if (number >= _segments.Active || _segments.LastWriteUtc(number) > cutoff) break;
            old.Add(number);
            if (number >= keepFrom || live.ContainsKey(number)) continue;
            try
            {
                _segments.Delete(number);
                _logger.LogInformation("Retention deleted segment {Segment}: nothing in it is still needed", number);
            }
            catch (IOException ex)
            {
                _logger.LogWarning("Retention could not delete segment {Segment}: {Reason}", number, ex.Message);
            }
        }
        Compact(old, live);
    }

    /// <summary>
    /// Copies the live records of old segments that are at most a quarter live to the end of the log (as
    /// <see cref="LogRecordType.MessageMoved"/> records, fsync'd like any group), then points the messages at the
    /// copies. The old segment stays until retention finds it empty and both kept checkpoints after the copies, so a
    /// crash at any step leaves either the old records (still pointed at) or the copies (replayed as moves).
    /// </summary>
    private void Compact(List<int> old, Dictionary<int, long> live)
    {
        var budget = Math.Max(_options.SegmentBytes / 2, 1);
        var chosen = new HashSet<int>();
        foreach (var number in old)
        {
            var bytes = live.GetValueOrDefault(number);
            if (bytes == 0 || bytes * 4 > _segments.LengthOf(number) || bytes > budget) continue;
            chosen.Add(number);
            budget -= bytes;
        }
        if (chosen.Count == 0) return;

        var places = new List<(long Position, int Length)>();
        foreach (var (_, queue) in _book.Queues)
        {
            lock (queue) queue.ForEachUnacknowledged((chosen, places), static (s, position, length) =>
            {
                if (s.chosen.Contains(LogPosition.SegmentOf(position))) s.places.Add((position, length));
            });
        }
        lock (_stateLock)
        {
            foreach (var entry in _quarantine.Entries)
            {
                if (chosen.Contains(LogPosition.SegmentOf(entry.Position))) places.Add((entry.Position, entry.Message.Length));
            }
        }

        _group.ResetWrittenCount();
        var moved = new List<(MessageRecord Record, int PayloadOffsetInGroup)>();
        foreach (var (position, length) in places)
        {
            var recordLength = MessageRecord.PayloadOffset + length;
            var record = _group.GetSpan(recordLength)[..recordLength];
            try
            {
                _segments.Read(position - MessageRecord.PayloadOffset, record);
            }
            catch (IOException ex)
            {
                _logger.LogWarning("Compaction could not read the record at segment {Segment} offset {Offset}: {Reason}; it stays where it is",
                    LogPosition.SegmentOf(position), LogPosition.OffsetOf(position), ex.Message);
                continue;
            }
            // A damaged record is not copied: it stays where it is, found damaged when read, and pins its segment.
            if (!LogRecordFrame.IsIntact(record)) continue;
            MessageRecord.Retype(record, LogRecordType.MessageMoved);
            moved.Add((MessageRecord.Read(record[LogRecordFrame.HeaderLength..]), _group.WrittenCount + MessageRecord.PayloadOffset));
            _group.Advance(recordLength);
        }
        long start;
        try
        {
            start = WriteAndFlush(_group.WrittenSpan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Compaction could not write in {DataDir}: {Reason}; the old segments stay", _options.DataDir, ex.Message);
            return;
        }
        var segment = _segments.Active;
        lock (_stateLock)
        {
            foreach (var (record, offset) in moved) MoveMessage(record, LogPosition.Pack(segment, start + offset));
        }
        _logger.LogInformation("Compaction moved {Records} live records ({Bytes} bytes) out of {Segments} old segments",
            moved.Count, _group.WrittenCount, chosen.Count);
    }
}
