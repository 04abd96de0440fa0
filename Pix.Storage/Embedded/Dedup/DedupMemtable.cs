using System.Runtime.CompilerServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// The newest keys, in memory: an open-addressing table of fixed size with linear probing, written by one thread
/// and read by any number at once without locks. A slot is published by writing its <c>B</c> word last (release);
/// slots are never removed or rewritten, so a reader sees either an empty slot or a whole entry. A key added again
/// after it expired takes a new slot further along its probe chain, and lookups take the last match (the newest).
/// </summary>
internal sealed class DedupMemtable
{
    /// <summary>Slots per key at most: keeps probe chains short (load factor 0.7).</summary>
    private const double MaxLoad = 0.7;

    private readonly DedupEntry[] _slots;
    private int _count;

    public DedupMemtable(int slots)
    {
        _slots = new DedupEntry[slots];
        Capacity = (int)(slots * MaxLoad);
    }

    /// <summary>How many slots a table needs for a memory budget.</summary>
    public static int SlotsFor(long bytes) => (int)Math.Clamp(bytes / DedupEntry.ByteLength, 16, Array.MaxLength / 2);

    public int Capacity { get; }

    public int Count => Volatile.Read(ref _count);

    public bool IsFull => _count >= Capacity;

    public long Bytes => _slots.LongLength * DedupEntry.ByteLength;

    /// <summary>Newest time added, for the run made from this table.</summary>
    public long MaxAtMs { get; private set; } = long.MinValue;

    public bool TryGet(in DedupKey key, ulong hash, long horizonMs, out DedupEntry found)
    {
        found = default;
        var matched = false;
        var slots = _slots;
        for (var i = SlotOf(hash); ; i = i + 1 == slots.Length ? 0 : i + 1)
        {
            ref var slot = ref slots[i];
            var b = Volatile.Read(ref slot.B);
            if (b == 0) break;
            if (b == key.B && slot.A == key.A && slot.C == key.C && slot.D == key.D)
            {
                found = slot;
                found.B = b;
                matched = true;
            }
        }
        return matched && found.AtMs >= horizonMs;
    }

    /// <summary>Adds the key unless it is already here and not expired. The table must not be full.</summary>
    public void Add(in DedupKey key, ulong hash, ulong sequence, long atMs, long horizonMs)
    {
        var slots = _slots;
        var i = SlotOf(hash);
        var live = false;
        for (; ; i = i + 1 == slots.Length ? 0 : i + 1)
        {
            ref var slot = ref slots[i];
            if (slot.B == 0) break;
            if (slot.Is(key)) live = slot.AtMs >= horizonMs;
        }
        if (live) return;
        ref var free = ref slots[i];
        free.A = key.A;
        free.C = key.C;
        free.D = key.D;
        free.Sequence = sequence;
        free.AtMs = atMs;
        Volatile.Write(ref free.B, key.B);
        Volatile.Write(ref _count, _count + 1);
        if (atMs > MaxAtMs) MaxAtMs = atMs;
    }

    /// <summary>The filled slots and their hashes (for a flush, when no one adds any more).</summary>
    public int CollectFilled(Span<ulong> hashes, Span<int> slots)
    {
        var n = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            ref readonly var slot = ref _slots[i];
            if (slot.B == 0) continue;
            hashes[n] = slot.Key.Hash();
            slots[n++] = i;
        }
        return n;
    }

    public ref readonly DedupEntry SlotAt(int slot) => ref _slots[slot];

    /// <summary>Empties the table for reuse (when no reader can hold it any more).</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        _count = 0;
        MaxAtMs = long.MinValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(ulong hash) => (int)Math.BigMul(hash, (ulong)_slots.Length, out _);
}
