namespace Pix.Storage.Collections;

/// <summary>What a <see cref="SweepList{T}"/> keeps in each item it lists.</summary>
public interface ISweepListed
{
    /// <summary>The item's slot in the list, -1 while it is not listed. Written only under the list's lock; a stale
    /// read costs a look under the lock, nothing else.</summary>
    int SweepSlot { get; set; }

    /// <summary>The item left its owner's map for good (a sweep took it out): it is never listed again, and whoever
    /// still holds it looks its key up afresh.</summary>
    bool LeftForGood { get; }
}

/// <summary>
/// The values of a <c>ConcurrentDictionary</c>, kept beside it so that a periodic sweep can walk them without
/// allocating: enumerating the dictionary allocates an enumerator each time, and the sweeps run on request threads
/// (the sender gate) or every quarter second (the stream engine). The first caller that got an item from the
/// dictionary lists it; <see cref="Sweep"/> walks a copy with no lock held, so a request listing a new item never
/// waits for a sweep, and removes what it took out of the dictionary, in constant time.
/// </summary>
public sealed class SweepList<T> where T : class, ISweepListed
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = new();
    private T[] _scratch = new T[16];
    private int _sweeping;

    public int Count
    {
        get
        {
            lock (_lock) return _items.Count;
        }
    }

    /// <summary>Lists <paramref name="item"/> unless it is listed already or has left for good (a racing sweep took it
    /// out of the dictionary: its caller looks again and lists the fresh one).</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            if (item.SweepSlot >= 0 || item.LeftForGood) return;
            item.SweepSlot = _items.Count;
            _items.Add(item);
        }
    }

    /// <summary>Takes out an item that has left for good; its slot goes to the last item.</summary>
    public void Remove(T item)
    {
        lock (_lock)
        {
            var slot = item.SweepSlot;
            if (slot < 0) return;
            var last = _items[^1];
            _items[slot] = last;
            last.SweepSlot = slot;
            _items.RemoveAt(_items.Count - 1);
            item.SweepSlot = -1;
        }
    }

    /// <summary>
    /// Walks a copy of the listed items and takes out each one <paramref name="leaves"/> says left for good (the
    /// caller has taken it out of its dictionary). One sweep at a time: a sweep that finds another running (timer
    /// callbacks overlap, request threads race) returns false at once, since the one running covers it. The state
    /// goes to <paramref name="leaves"/> as an argument, so a static lambda serves and a sweep allocates nothing
    /// (the copy's array grows with the list only).
    /// </summary>
    public bool Sweep<TState>(TState state, Func<T, TState, bool> leaves)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return false;
        var count = 0;
        try
        {
            count = Snapshot(ref _scratch);
            for (var i = 0; i < count; i++)
            {
                var item = _scratch[i];
                if (leaves(item, state)) Remove(item);
            }
            return true;
        }
        finally
        {
            // The copy must not keep items alive until the next sweep.
            Array.Clear(_scratch, 0, count);
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Copies the listed items into <paramref name="scratch"/> (replaced by a larger array when too small, so
    /// a sweep allocates only while the list grows) and returns how many.</summary>
    internal int Snapshot(ref T[] scratch)
    {
        lock (_lock)
        {
            if (scratch.Length < _items.Count) scratch = new T[_items.Count * 2];
            _items.CopyTo(scratch);
            return _items.Count;
        }
    }
}
