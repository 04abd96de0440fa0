namespace Pix.Server.Http;

/// <summary>
/// Admission control (<c>Pix:Limits:MaxInFlight</c>): how many requests are being worked on, and whether one more
/// may start. A long poll parked on an empty queue costs a waiter and nothing else, so it does not count: the stream
/// engine calls <see cref="Parked"/> when it parks a request and <see cref="Resumed"/> when it wakes it. Past the
/// limit a request is answered 503 with Retry-After before any work, so what piles up behind a stalled store or a
/// saturated node (pooled scratch, queued work) stays bounded, and the LB-saturation playbook has a signal.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly int _limit;
    private int _current;
    private int _parked;

    /// <param name="limit">0: no limit (the counts are still kept).</param>
    public InFlightRequests(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }

    public int Limit => _limit;

    /// <summary>Requests admitted and not parked.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>Long polls parked on an empty queue.</summary>
    public int ParkedCount => Volatile.Read(ref _parked);

    /// <summary>Admits one request; false (nothing counted) past the limit. Each true needs one <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _current) <= _limit || _limit == 0) return true;
        Interlocked.Decrement(ref _current);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _current);

    /// <summary>The request waits for a message: it stops counting against the limit.</summary>
    public void Parked()
    {
        Interlocked.Decrement(ref _current);
        Interlocked.Increment(ref _parked);
    }

    /// <summary>The parked request woke (a message, its deadline, or its client left): it counts again, even past
    /// the limit, since it was admitted and must finish.</summary>
    public void Resumed()
    {
        Interlocked.Decrement(ref _parked);
        Interlocked.Increment(ref _current);
    }
}
