using System.Threading.Tasks.Sources;

namespace Pix.Storage.Embedded;

/// <summary>
/// One piece of work for the group commit: an ingest request (encoded by the writer, which assigns ids and checks
/// dedup in log order) or a stream-state record already framed in <see cref="State"/>. The caller awaits the entry
/// itself (a pooled <see cref="IValueTaskSource"/>), which completes once the record is fsync'd, so a request
/// allocates nothing for its completion. The writer does not resume the caller itself (the next group's fsync
/// would wait for it): the entry queues itself to the thread pool as a work item, which completes it there, so
/// the caller resumes on a pool thread whatever builder its async method uses and nothing is allocated for the hop
/// (a continuation queued by <see cref="ManualResetValueTaskSourceCore{TResult}"/> is wrapped in a new work item
/// unless it comes from the BCL's own builders).
/// </summary>
internal sealed class LogEntry : IValueTaskSource, IValueTaskSource<AppendStatus>, IThreadPoolWorkItem
{
    public const int MaxStateLength = StreamRecord.MaxLength;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private Exception? _error;
    private readonly byte[] _state = new byte[MaxStateLength];
    private readonly LogEntryPool? _pool;
    private int _completed;
    private bool _orphanOfAppend;

    public LogEntry(LogEntryPool? pool) => _pool = pool;

    public AppendBatch? Batch { get; private set; }

    /// <summary>With <see cref="Batch"/>: the outbox entry this append sends (its one message is the notice).</summary>
    public Pix.Protocol.Ids.ResourceId? SendsNotice { get; private set; }

    /// <summary>With <see cref="Batch"/>: the quarantined message this append delivers (its one message, same id).</summary>
    public Pix.Protocol.Ids.ResourceId? ReleasesQuarantine { get; set; }

    public int StateLength { get; private set; }

    /// <summary>An ingest request (or a copy standing for one whose caller already had its answer).</summary>
    public bool IsAppend => Batch is not null || _orphanOfAppend;

    /// <summary>When it was queued (<see cref="TimeProvider.GetTimestamp"/>), for the store's deadline.</summary>
    public long QueuedAt { get; set; }

    /// <summary>The caller's token: the store's watchdog fails a waiting entry once it is cancelled.</summary>
    public CancellationToken Cancellation { get; set; }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public ReadOnlySpan<byte> State => _state.AsSpan(0, StateLength);

    public ValueTask AsValueTask() => new(this, _core.Version);

    /// <summary>An append's completion as the port's result, with no async state machine in between: on failure
    /// the batch's outcomes are cleared before the exception reaches the caller.</summary>
    public ValueTask<AppendStatus> AsAppendTask() => new(this, _core.Version);

    public void PrepareAppend(AppendBatch batch, Pix.Protocol.Ids.ResourceId? sendsNotice = null)
    {
        Batch = batch;
        SendsNotice = sendsNotice;
        StateLength = 0;
    }

    /// <summary>The buffer a stream record is framed into; then <see cref="SetStateLength"/>.</summary>
    public Span<byte> StateBuffer()
    {
        Batch = null;
        return _state;
    }

    public void SetStateLength(int length) => StateLength = length;

    /// <summary>Completes the waiter; a second completion (a writer failing everything it held) is ignored.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0) return;
        _error = error;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>On a pool thread: the caller's continuation runs here.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        if (_error is { } error) _core.SetException(error);
        else _core.SetResult(true);
    }

    /// <summary>Returns an entry that was never queued (the store refused it) to the pool.</summary>
    public void Abandon()
    {
        Batch = null;
        SendsNotice = null;
        ReleasesQuarantine = null;
        Cancellation = default;
        _pool?.Return(this);
    }

    /// <summary>A copy that nobody awaits, to stand in the writer's lists for an entry whose caller got its answer
    /// (503) and may reuse it: a stream record still to be written, or an append already encoded.</summary>
    public LogEntry Orphan()
    {
        var copy = new LogEntry(null);
        State.CopyTo(copy._state);
        copy.StateLength = StateLength;
        copy._orphanOfAppend = IsAppend;
        copy._completed = 1;
        return copy;
    }

    AppendStatus IValueTaskSource<AppendStatus>.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
            return AppendStatus.Stored;
        }
        catch
        {
            Batch?.Outcomes.Clear();
            throw;
        }
        finally
        {
            Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<AppendStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<AppendStatus>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Reset();
        }
    }

    private void Reset()
    {
        Batch = null;
        SendsNotice = null;
        ReleasesQuarantine = null;
        Cancellation = default;
        _error = null;
        _core.Reset();
        Volatile.Write(ref _completed, 0);
        _pool?.Return(this);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
