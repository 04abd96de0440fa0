using Microsoft.Extensions.Logging;

namespace Pix.Storage.Embedded;

// The deadline of every store call (Pix:Limits:StorageTimeoutSeconds) and cancellation, without a timer per request:
// one timer looks at what waits for the writer a few times per deadline.
public sealed partial class EmbeddedQueueStore
{
    private static TimeSpan WatchPeriod(TimeSpan deadline) => TimeSpan.FromMilliseconds(Math.Clamp(deadline.TotalMilliseconds / 4, 10, 500));

    /// <summary>Answers callers whose deadline passed or who cancelled: a queued append is dropped (never encoded, so
    /// nothing of it reaches the log); a stream change, already applied in memory, stays queued as a copy nobody waits
    /// for; the group in the writer's hands is answered once encoded (the writer reads no caller's batch after that),
    /// and if the disk has not finished it within the deadline the store reports a stalled disk and answers appends
    /// at once until it does. The outcome of an answered write is unknown to its caller (it may still reach the disk):
    /// the client resends and dedup answers with the original id.</summary>
    private void Watch()
    {
        lock (_stateLock)
        {
            if (_stopping || _failure is not null) return;
            var deadline = _options.WriteTimeout;
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                var entry = _pending[i];
                if (entry.IsCompleted) continue;
                var late = _clock.GetElapsedTime(entry.QueuedAt) >= deadline;
                if (!late && !entry.Cancellation.IsCancellationRequested) continue;
                if (entry.IsAppend) _pending.RemoveAt(i);
                else _pending[i] = entry.Orphan();
                entry.Fail(late ? Late(deadline) : new OperationCanceledException(entry.Cancellation));
            }
            if (!_groupEncoded) return;
            var stalled = _clock.GetElapsedTime(_groupStartedAt) >= deadline;
            if (stalled && !_stalled)
            {
                _stalled = true;
                var reason = $"the disk has not completed a write for {deadline.TotalSeconds} s";
                _health = StoreHealth.Failing(reason);
                _logger.LogError("The embedded store's disk in {DataDir}: {Reason}; appends get 503 until it does", _options.DataDir, reason);
            }
            for (var i = 0; i < _taken.Count; i++)
            {
                var entry = _taken[i];
                if (entry.IsCompleted || (!stalled && !entry.Cancellation.IsCancellationRequested)) continue;
                _taken[i] = entry.Orphan();
                entry.Fail(stalled ? Late(deadline) : new OperationCanceledException(entry.Cancellation));
            }
        }
    }

    private static StoreUnavailableException Late(TimeSpan deadline) => new(
        $"The embedded store did not complete the write within {deadline.TotalSeconds} s; its outcome is unknown (resend: dedup answers with the original id if it was stored).");
}
