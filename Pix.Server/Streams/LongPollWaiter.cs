using System.Threading.Tasks.Sources;

namespace Pix.Server.Streams;

/// <summary>
/// A parked long poll: one per connection, reused for every poll, so parking allocates nothing. It is linked into its
/// ISPB's <see cref="WaiterList"/>; an append wakes it (true), the sweeper times it out or sees the client gone (false).
/// </summary>
internal sealed class LongPollWaiter : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _completed;

    internal LongPollWaiter? Previous;
    internal LongPollWaiter? Next;

    public long DeadlineTicks { get; private set; }
    public CancellationToken Aborted { get; private set; }

    public ValueTask<bool> Arm(long deadlineTicks, CancellationToken aborted)
    {
        _core.Reset();
        _completed = 0;
        DeadlineTicks = deadlineTicks;
        Aborted = aborted;
        return new ValueTask<bool>(this, _core.Version);
    }

    /// <summary>Completes the wait once; later calls are ignored.</summary>
    public bool TryComplete(bool woken)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0) return false;
        _core.SetResult(woken);
        return true;
    }

    public bool GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
