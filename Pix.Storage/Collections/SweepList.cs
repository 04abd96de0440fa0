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
/// dictionary lists it; the sweep walks a copy (<see cref="Snapshot"/>) with no lock held, so a request listing a new
/// item never waits for a sweep, and removes what it took out of the dictionary, in constant time.
/// </summary>
public sealed class SweepList<T> where T : class, ISweepListed
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = new();

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

    /// <summary>Copies the listed items into <paramref name="scratch"/> (replaced by a larger array when too small, so
    /// a sweep allocates only while the list grows) and returns how many. The caller clears what it copied after its
    /// walk, so the scratch does not keep items alive.</summary>
    public int Snapshot(ref T[] scratch)
    {
        lock (_lock)
        {
            if (scratch.Length < _items.Count) scratch = new T[_items.Count * 2];
            _items.CopyTo(scratch);
            return _items.Count;
        }
    }
}
