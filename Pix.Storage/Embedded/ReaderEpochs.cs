namespace Pix.Storage.Embedded;

/// <summary>
/// Requests that may hold log positions, counted per epoch (epoch-based reclamation with two counters): a segment
/// retention deletes at epoch <c>n</c> keeps its file open until the epoch reaches <c>n + 2</c>, which it can only do
/// once every reader that entered at or before <c>n</c> has left. So a reader that found a message's old position
/// just before compaction moved it still reads the bytes there. Two interlocked operations per read, no allocation,
/// no waiting on either side.
/// </summary>
internal sealed class ReaderEpochs
{
    private readonly long[] _active = new long[2];
    private long _epoch;

    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Call before looking up positions; pass the result to <see cref="Exit"/> after reading them.</summary>
    public int Enter()
    {
        var slot = (int)(Volatile.Read(ref _epoch) & 1);
        Interlocked.Increment(ref _active[slot]);
        return slot;
    }

    public void Exit(int slot) => Interlocked.Decrement(ref _active[slot]);

    /// <summary>Moves to the next epoch if no reader of the one before the current is left (its counter is the one
    /// the next epoch reuses).</summary>
    public void TryAdvance()
    {
        var epoch = Volatile.Read(ref _epoch);
        if (Volatile.Read(ref _active[(epoch + 1) & 1]) == 0) Interlocked.CompareExchange(ref _epoch, epoch + 1, epoch);
    }
}
