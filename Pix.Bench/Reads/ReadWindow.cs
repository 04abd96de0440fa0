namespace Pix.Bench.Reads;

/// <summary>
/// The phases one run of <c>reads</c> shares with its streams: warming up (reads go out, nothing is recorded),
/// measuring, and stopped. A stream whose queue ran dry finishes the window: from then on the others would be
/// measured against a server with less to do.
/// </summary>
internal sealed class ReadWindow
{
    private volatile bool _measuring;
    private volatile bool _stopped;
    private int _finished;

    public bool Measuring => _measuring;
    public bool Stopped => _stopped;

    /// <summary>Why the window ended before its time: a queue ran dry (null failure), or the failure a stream met.</summary>
    public bool EndedEarly { get; private set; }
    public string? Failure { get; private set; }

    public readonly TaskCompletionSource Ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Measure() => _measuring = true;

    public void Stop()
    {
        _measuring = false;
        _stopped = true;
    }

    public void Finished(string? failure)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        EndedEarly = true;
        Failure = failure;
        Ended.TrySetResult();
    }
}
