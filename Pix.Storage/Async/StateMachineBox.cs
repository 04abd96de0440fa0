using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Pix.Storage.Async;

/// <summary>
/// A suspended async method of <see cref="SharedPoolingBuilder"/>: its state machine, the execution context to resume
/// it in, and the completion its caller awaits. Returned to its pool when the caller has taken the result (each
/// <see cref="ValueTask"/> is awaited once, as pooling requires).
/// </summary>
public abstract class StateMachineBox<TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    // Continuations run where the method completes: the caller's own state machine resumes in place, as the BCL's do.
    private ManualResetValueTaskSourceCore<TResult> _core;
    private ExecutionContext? _context;

    protected StateMachineBox() => MoveNextAction = Resume;

    /// <summary>Resumes the method (cached: awaiting allocates no delegate).</summary>
    public Action MoveNextAction { get; }

    public short Version => _core.Version;

    /// <summary>The flowing execution context at an await (null when nothing flows): the method resumes in it.</summary>
    public void CaptureContext() => _context = ExecutionContext.Capture();

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    private void Resume()
    {
        if (_context is { } context) ExecutionContext.Run(context, static box => ((StateMachineBox<TResult>)box!).MoveNext(), this);
        else MoveNext();
    }

    protected abstract void MoveNext();

    /// <summary>Clears the box and puts it back in its pool.</summary>
    protected abstract void Return();

    protected void ResetCore()
    {
        _context = null;
        _core.Reset();
    }

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>
/// The box of one async method (<typeparamref name="TStateMachine"/>), and that method's pool: a stack under a lock
/// shared by every thread, bounded so a burst of parked long polls does not stay in memory.
/// </summary>
public sealed class StateMachineBox<TStateMachine, TResult> : StateMachineBox<TResult> where TStateMachine : IAsyncStateMachine
{
    private const int MaxPooled = 4096;
    private static readonly Stack<StateMachineBox<TStateMachine, TResult>> Pool = new();

    public TStateMachine? StateMachine;

    public static StateMachineBox<TStateMachine, TResult> Rent()
    {
        lock (Pool)
        {
            if (Pool.TryPop(out var box)) return box;
        }
        return new StateMachineBox<TStateMachine, TResult>();
    }

    protected override void MoveNext() => StateMachine!.MoveNext();

    protected override void Return()
    {
        StateMachine = default;
        ResetCore();
        lock (Pool)
        {
            if (Pool.Count < MaxPooled) Pool.Push(this);
        }
    }
}
