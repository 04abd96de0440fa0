namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// What a lookup searches, newest first: the table taking adds, the tables waiting to be written, the runs. Never
/// changed once published; a change publishes a new one. Readers hold a reference while they search, so the
/// background threads reuse a table or delete a run's file only after every reader has let go of the versions that
/// named it.
/// </summary>
internal sealed class DedupVersion(DedupMemtable active, DedupMemtable[] frozen, DedupRun[] runs)
{
    // One reference belongs to the index while this version is current.
    private int _references = 1;
    // Monitor.Wait needs a plain monitor (not System.Threading.Lock).
    private readonly object _releasedSignal = new();

    public DedupMemtable Active { get; } = active;

    /// <summary>Tables waiting to be written, newest first.</summary>
    public DedupMemtable[] Frozen { get; } = frozen;

    /// <summary>Runs, newest first.</summary>
    public DedupRun[] Runs { get; } = runs;

    public bool IsReleased => Volatile.Read(ref _references) == 0;

    public bool TryAcquire()
    {
        var seen = Volatile.Read(ref _references);
        while (seen > 0)
        {
            var previous = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (previous == seen) return true;
            seen = previous;
        }
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        // The last reference: wake the background thread waiting to reuse what this version named (rare: once per
        // version, and only a lookup still holding it makes anyone wait at all).
        lock (_releasedSignal) Monitor.PulseAll(_releasedSignal);
    }

    /// <summary>Blocks until every reference is released. A wait, not a spin: on a machine of two cores a spinning
    /// flusher takes the CPU from the very reader it waits for (and from the writer).</summary>
    public void WaitUntilReleased()
    {
        if (IsReleased) return;
        lock (_releasedSignal)
        {
            while (!IsReleased) Monitor.Wait(_releasedSignal);
        }
    }
}
