namespace Pix.Server.Streams;

/// <summary>
/// What the engine keeps in memory about one open stream besides what the store holds: whether a request is in
/// flight (a second one gets 409) and when it was last used (idle expiry). The store owns the batch and claim.
/// </summary>
internal sealed class StreamSession(ulong streamId, long nowTicks)
{
    private const int Idle = 0, Busy = 1, Expiring = 2;
    private int _state;
    private long _lastUsedTicks = nowTicks;

    public ulong StreamId { get; } = streamId;

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    /// <summary>Marks a request in flight; false when one already is (409) or the stream is being expired (410).</summary>
    public bool TryEnter(out bool expiring)
    {
        var previous = Interlocked.CompareExchange(ref _state, Busy, Idle);
        expiring = previous == Expiring;
        return previous == Idle;
    }

    public void Exit(long nowTicks)
    {
        Volatile.Write(ref _lastUsedTicks, nowTicks);
        Volatile.Write(ref _state, Idle);
    }

    /// <summary>The sweeper claims an idle stream for expiry; no request can enter afterwards.</summary>
    public bool TryBeginExpiry() => Interlocked.CompareExchange(ref _state, Expiring, Idle) == Idle;

    /// <summary>The stream was closed by a request (DELETE): later requests see it gone.</summary>
    public void MarkClosed() => Volatile.Write(ref _state, Expiring);
}
