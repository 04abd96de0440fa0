using System.Buffers;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;
using Pix.Storage.Notices;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

// The writer thread: takes everything queued, writes it, fsyncs once, then applies and completes.
public sealed partial class EmbeddedQueueStore
{
    // Grows to the largest group and stays there (reset, never shrunk): a store that only ever writes small groups,
    // like every store a test or the simulation opens, does not take a 1 MiB large-object-heap buffer.
    private readonly ArrayBufferWriter<byte> _group = new();
    private readonly List<PendingMessage> _groupMessages = new();
    private readonly List<(ResourceId Entry, byte[]? Bytes)> _groupNotices = new();
    private readonly Dictionary<DedupKey, ResourceId> _groupKeys = new();
    private List<LogEntry> _taken = new();
    private long _fsyncs, _committedEntries, _committedMessages, _committedBytes;
    // How long checkpoints held the state lock (Stopwatch ticks): what a request could have waited for one.
    private long _checkpointLockTicks, _checkpointLockTicksMax, _checkpointsTaken, _checkpointSerializeTicksMax;
    private long _bytesSinceCheckpoint;
    private bool _rolledSinceCheckpoint;
    private bool _writeFailing;

    private void RunWriter()
    {
        try
        {
            while (true)
            {
                StateCapture? snapshot = null;
                bool stopping, retention = false;
                lock (_stateLock)
                {
                    while (_pending.Count == 0 && !_stopping && !(CheckpointDue() && _checkpoint == CheckpointStage.None) && _checkpoint != CheckpointStage.Written)
                    {
                        _writerIdle.Set();
                        Monitor.Wait(_stateLock);
                    }
                    _writerIdle.Reset();
                    stopping = _stopping;
                    // The last checkpoint waits for the one being written (a shutdown only).
                    while (stopping && _checkpoint == CheckpointStage.Writing) Monitor.Wait(_stateLock);
                    if (_checkpoint == CheckpointStage.Written) retention = true;
                    // Swap lists: callers keep queueing into the other while this group is written.
                    (_taken, _pending) = (_pending, _taken);
                    _groupEncoded = false;
                    // A written checkpoint's retention runs first (below), so the next one may be marked now.
                    if ((stopping || CheckpointDue()) && _checkpoint != CheckpointStage.Writing) snapshot = CaptureState();
                }
                if (retention)
                {
                    retention = false;
                    FinishCheckpoint();
                }
                CommitGroup(_taken, snapshot);
                if (stopping)
                {
                    WaitForCheckpoint();
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Not restarted: after an unexpected fault the queues in memory may differ from the log, and only a
            // recovery from the log (a restart, which /readyz and the health gauge ask for) rebuilds a state known to
            // match it. Until then writes get 503 and what is stored can still be read.
            _logger.LogCritical(ex, "The embedded store's writer stopped unexpectedly; writes get 503 until the process restarts");
            var reason = "the log writer stopped: " + ex.Message;
            _health = StoreHealth.Failing(reason);
            lock (_stateLock)
            {
                _failure = reason;
                // Nobody may wait forever for a write that will not come.
                var unavailable = new StoreUnavailableException("The embedded store's " + reason, ex);
                foreach (var entry in _taken) entry.Fail(unavailable);
                foreach (var entry in _pending) entry.Fail(unavailable);
                _taken.Clear();
                _pending.Clear();
            }
        }
        finally
        {
            _checkpointJobs.CompleteAdding();
            _writerIdle.Set();
            _writerDone.TrySetResult();
        }
    }

    private bool CheckpointDue() => _bytesSinceCheckpoint >= _options.CheckpointBytes || _rolledSinceCheckpoint;

    private void CommitGroup(List<LogEntry> entries, StateCapture? snapshot)
    {
        _group.ResetWrittenCount();
        _groupMessages.Clear();
        _groupNotices.Clear();
        _groupKeys.Clear();
        // Stream records first: they are already applied in memory, so a checkpoint taken with this group covers
        // them and its position is right after them. No claim can name a message of its own group, so moving the
        // group's messages after them changes nothing on replay.
        foreach (var entry in entries)
        {
            if (!entry.IsAppend) _group.Write(entry.State);
        }
        var stateBytes = _group.WrittenCount;
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var entry in entries)
        {
            if (entry.Batch is not null) EncodeAppend(entry.Batch, entry.SendsNotice, entry.ReleasesQuarantine, now);
        }
        lock (_stateLock)
        {
            // From here on the writer touches no caller's batch, so the watchdog may answer callers of this group.
            _groupEncoded = true;
            _groupStartedAt = _clock.GetTimestamp();
        }

        long start;
        try
        {
            start = WriteAndFlush(_group.WrittenSpan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FailGroup(entries, stateBytes, ex);
            if (snapshot is not null) CancelCapture(snapshot);
            return;
        }
        if (_writeFailing)
        {
            _writeFailing = false;
            _health = HealthAfterRecovery();
            _logger.LogInformation("The embedded store writes again in {DataDir}", _options.DataDir);
        }

        var segment = _segments.Active;
        lock (_stateLock)
        {
            _groupEncoded = false;
            if (_stalled)
            {
                _stalled = false;
                if (!_writeFailing) _health = HealthAfterRecovery();
                _logger.LogWarning("The embedded store's disk answered again after {Seconds:F1} s", _clock.GetElapsedTime(_groupStartedAt).TotalSeconds);
            }
            foreach (var pending in _groupMessages)
            {
                ApplyMessage(pending.Record, LogPosition.Pack(segment, start + pending.PayloadOffsetInGroup));
            }
            foreach (var (entry, bytes) in _groupNotices) ApplyNotice(entry, bytes);
            Interlocked.Add(ref _committedEntries, entries.Count);
            Interlocked.Add(ref _committedMessages, _groupMessages.Count);
            // Last touch: once completed, an entry may return to the pool and be reused by another request.
            foreach (var entry in entries) entry.Complete();
            entries.Clear(); // under the lock: the watchdog reads this list
        }
        // Off the state lock (an add waits if the index's disk is far behind); before the next group's dedup checks,
        // which run on this thread.
        foreach (var pending in _groupMessages) RememberKey(pending.Record);
        if (_options.SerialBackgroundWork) _dedup.WaitForIdle();

        // Written by the checkpoint thread, off the state lock and off this thread: requests and groups go on
        // meanwhile, and each queue a request changes copies itself first.
        if (snapshot is not null) StartCheckpoint(LogPosition.Pack(segment, start + stateBytes), snapshot);
    }

    // Whether an earlier entry of this group already sent the outbox entry. A loop, not List.Exists with a lambda: the
    // lambda would capture the id, and C# allocates the closure on entry to EncodeAppend, for every append.
    private bool SentInThisGroup(ResourceId sent)
    {
        foreach (var (entry, bytes) in _groupNotices)
        {
            if (entry == sent && bytes is null) return true;
        }
        return false;
    }

    // Dedup and ids are decided here, in log order, so concurrent requests with one key store it once.
    private void EncodeAppend(AppendBatch batch, ResourceId? sendsNotice, ResourceId? releasesQuarantine, long now)
    {
        batch.Outcomes.Clear();
        if (sendsNotice is { } sent && (!_outbox.ContainsKey(sent) || SentInThisGroup(sent)))
        {
            // Sent already (before a crash, or by a racing call): nothing to store.
            batch.Outcomes.Add(new AppendOutcome(default, true));
            return;
        }
        // Indexed, not foreach: the batch's lists are seen through IReadOnlyList, whose enumerator is a boxed struct
        // (an allocation per append on this thread).
        var messages = batch.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            // Quarantined messages neither hold nor consult dedup keys: a corrected resend must get through.
            var hasKey = !message.BizMsgIdr.IsEmpty && message.Disposition == Disposition.Deliver;
            var key = hasKey ? DedupKey.Of(message.From, message.BizMsgIdr.Span) : default;
            if (hasKey && (_groupKeys.TryGetValue(key, out var original) || _dedup.TryGet(key, out original)))
            {
                batch.Outcomes.Add(new AppendOutcome(original, true));
                continue;
            }
            var id = message.KeepId == default ? _book.NextResourceId() : message.KeepId;
            if (hasKey) _groupKeys[key] = id;
            var record = new MessageRecord(message.To, message.From, id, message.Disposition, hasKey, key, now, message.Payload.Length);
            var offset = _group.WrittenCount;
            var span = _group.GetSpan(record.RecordLength)[..record.RecordLength];
            record.Write(span, message.Payload.Span);
            _group.Advance(record.RecordLength);
            _groupMessages.Add(new PendingMessage(record, offset + MessageRecord.PayloadOffset));
            batch.Outcomes.Add(new AppendOutcome(id, false));
        }
        // After the messages: a tear that keeps a message and loses its notice leaves a request nobody got a 201 for.
        var notices = batch.Notices;
        for (var i = 0; i < notices.Count; i++)
        {
            var notice = notices[i];
            var entry = _book.NextResourceId();
            var message = notice.MessageIndex >= 0 ? batch.Outcomes[notice.MessageIndex].Id : default;
            var bytes = NoticeCodec.Length(notice);
            var span = _group.GetSpan(NoticeRecord.Length(bytes))[..NoticeRecord.Length(bytes)];
            NoticeCodec.Write(span[LogRecordFrame.HeaderLength..], entry, notice, message, now);
            NoticeRecord.FrameNotice(span, bytes);
            _group.Advance(span.Length);
            _groupNotices.Add((entry, span[LogRecordFrame.HeaderLength..].ToArray()));
        }
        // After the message: a tear in between leaves it both delivered and quarantined, and a second delivery then
        // meets its dedup key.
        if (releasesQuarantine is { } released)
        {
            var span = _group.GetSpan(NoticeRecord.SentLength)[..NoticeRecord.SentLength];
            released.WriteBytes(span[LogRecordFrame.HeaderLength..]);
            LogRecordFrame.WriteHeader(span, LogRecordType.QuarantineReleased, ResourceId.ByteLength);
            _group.Advance(NoticeRecord.SentLength);
        }
        if (sendsNotice is { } done)
        {
            var span = _group.GetSpan(NoticeRecord.SentLength)[..NoticeRecord.SentLength];
            NoticeRecord.WriteSent(span, done);
            _group.Advance(NoticeRecord.SentLength);
            _groupNotices.Add((done, null));
        }
    }

    /// <summary>Appends the group to the active segment (rolling first when it would overflow) and fsyncs once.
    /// Returns the offset the group starts at. On failure nothing of it stays in the file.</summary>
    private long WriteAndFlush(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return _segments.ActiveLength;
        if (_segments.ActiveLength > SegmentHeader.Length && _segments.ActiveLength + data.Length > _options.SegmentBytes)
        {
            _segments.Roll();
            _rolledSinceCheckpoint = true;
        }
        var start = _segments.ActiveLength;
        var started = _clock.GetTimestamp();
        try
        {
            _segments.Append(data);
            _segments.FlushActive();
        }
        catch
        {
            try
            {
                _segments.TruncateActive(start);
            }
            catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
            {
                // Replay would still find the partial write by its checksum and cut it.
                _logger.LogError(cut, "Could not cut a failed write back to offset {Offset}", start);
            }
            throw;
        }
        Interlocked.Increment(ref _fsyncs);
        GroupWritten?.Invoke(_clock.GetElapsedTime(started));
        Interlocked.Add(ref _committedBytes, data.Length);
        _bytesSinceCheckpoint += data.Length;
        return start;
    }

    // Messages of a failed group are dropped (their callers get 503 and retry). Stream records are already applied
    // in memory, so they must reach the log eventually, in order: they are tried alone at once (small records often
    // still fit on a full disk, which keeps reads going) and otherwise carried into the next group.
    private void FailGroup(List<LogEntry> entries, int stateBytes, Exception ex)
    {
        if (!_writeFailing)
        {
            _logger.LogError("The embedded store cannot write to {DataDir}: {Reason}. Appends get 503 until it can.", _options.DataDir, ex.Message);
            _writeFailing = true;
            _health = StoreHealth.Failing("cannot write the log: " + ex.Message);
        }
        var unavailable = new StoreUnavailableException($"The embedded store cannot write: {ex.Message}", ex);
        var stateWritten = false;
        if (stateBytes > 0 && stateBytes < _group.WrittenCount)
        {
            try
            {
                WriteAndFlush(_group.WrittenSpan[..stateBytes]);
                stateWritten = true;
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                // Carried over below.
            }
        }
        lock (_stateLock)
        {
            _groupEncoded = false;
            _stalled = false; // the disk answered, if with an error
            var carried = new List<LogEntry>();
            foreach (var entry in entries)
            {
                if (entry.IsAppend)
                {
                    entry.Fail(unavailable);
                }
                else if (stateWritten)
                {
                    entry.Complete();
                }
                else
                {
                    carried.Add(entry.IsCompleted ? entry : entry.Orphan());
                    entry.Fail(unavailable);
                }
            }
            entries.Clear();
            if (carried.Count == 0) return;
            _pending.InsertRange(0, carried);
            // Do not spin on a full disk: the carried records wait a little before the next try (a dispose wakes it).
            if (!_stopping) Monitor.Wait(_stateLock, 50);
        }
    }
}
