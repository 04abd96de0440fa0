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

    public void Release() => Interlocked.Decrement(ref _references);
}
