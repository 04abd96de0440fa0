using System.Runtime.CompilerServices;

namespace Pix.Storage.Async;

/// <summary>
/// The async method builder of the request path's methods that may suspend (an fsync wait, a parked long poll), for
/// <see cref="ValueTask"/>. Like the BCL's <see cref="PoolingAsyncValueTaskMethodBuilder"/> it boxes the state machine
/// only when the method truly suspends, and reuses the box; unlike it, the boxes live in one pool per method shared by
/// every thread (<see cref="StateMachineBox{TStateMachine, TResult}"/>), not in per-thread and per-core caches. A
/// request suspends on the thread that read it and finishes on the one the store's group commit woke: with per-thread
/// caches the box goes back to the second thread's cache and the first keeps missing (281-605 B per ingest, varying
/// with where the scheduler put the threads); with a shared pool the box comes back where the next request looks.
/// </summary>
public struct SharedPoolingBuilder
{
    private SharedPoolingBuilder<VoidResult> _builder;

    public static SharedPoolingBuilder Create() => default;

    public ValueTask Task => _builder.UntypedTask;

    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        _builder.Start(ref stateMachine);

    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    public void SetResult() => _builder.SetResult(default);

    public void SetException(Exception exception) => _builder.SetException(exception);

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _builder.AwaitOnCompleted(ref awaiter, ref stateMachine);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _builder.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}

/// <summary><see cref="SharedPoolingBuilder"/> for <see cref="ValueTask{TResult}"/>.</summary>
public struct SharedPoolingBuilder<TResult>
{
    private StateMachineBox<TResult>? _box;
    private bool _completed;
    private TResult? _result;
    private Exception? _exception;

    public static SharedPoolingBuilder<TResult> Create() => default;

    public ValueTask<TResult> Task
    {
        get
        {
            if (_box is { } box) return new ValueTask<TResult>(box, box.Version);
            if (_exception is not null) return ValueTask.FromException<TResult>(_exception);
            return _completed ? new ValueTask<TResult>(_result!) : throw new InvalidOperationException("The method has not started.");
        }
    }

    /// <summary>The same completion without its result (the non-generic builder's).</summary>
    internal ValueTask UntypedTask
    {
        get
        {
            if (_box is { } box) return new ValueTask(box, box.Version);
            if (_exception is not null) return ValueTask.FromException(_exception);
            return _completed ? default : throw new InvalidOperationException("The method has not started.");
        }
    }

    // The BCL's Start: the caller's execution and synchronization contexts are restored when the method returns.
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        AsyncValueTaskMethodBuilder.Create().Start(ref stateMachine);

    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    public void SetResult(TResult result)
    {
        if (_box is { } box)
        {
            box.SetResult(result);
        }
        else
        {
            _result = result;
            _completed = true;
        }
    }

    public void SetException(Exception exception)
    {
        if (_box is { } box) box.SetException(exception);
        else _exception = exception;
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(Box(ref stateMachine).MoveNextAction);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(Box(ref stateMachine).MoveNextAction);

    private StateMachineBox<TResult> Box<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (_box is not null)
        {
            _box.CaptureContext();
            return _box;
        }
        var box = StateMachineBox<TStateMachine, TResult>.Rent();
        // Set before the copy: the copy's builder must point at its box.
        _box = box;
        box.StateMachine = stateMachine;
        box.CaptureContext();
        return box;
    }
}

/// <summary>The result type of a method that returns none.</summary>
public readonly struct VoidResult;
