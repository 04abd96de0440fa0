using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// A binary fuse filter (Graf and Lemire, 2022; 3-wise): a static set of 64-bit hashes, built once, answering
/// "maybe" for an absent hash with probability 2^-bits. Each slot holds a <see cref="Bits"/>-bit fingerprint,
/// packed; about 1.13 slots per key, so 13 bits cost about 14.7 bits per key for 1 false "maybe" in 8,192 (a split
/// block Bloom filter needs 14 bits per key for 1 in 390). A lookup reads three slots.
/// </summary>
internal sealed class FuseFilter
{
    public const int HeaderBytes = 24;
    private const int MaxSegmentLength = 262_144;

    private readonly byte[] _slots;
    private readonly ulong _seed;
    private readonly int _segmentLength;
    private readonly int _segmentCountLength;
    private readonly uint _fingerprintMask;

    private FuseFilter(int bits, ulong seed, int segmentLength, int segmentCount, byte[] slots)
    {
        Bits = bits;
        _seed = seed;
        _segmentLength = segmentLength;
        SegmentCount = segmentCount;
        _segmentCountLength = segmentCount * segmentLength;
        _fingerprintMask = (1U << bits) - 1;
        _slots = slots;
    }

    public int Bits { get; }

    public int SegmentCount { get; }

    public int SlotCount => (SegmentCount + 2) * _segmentLength;

    /// <summary>Header plus packed slots: what the filter occupies in memory and on disk.</summary>
    public int ByteLength => HeaderBytes + _slots.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(ulong hash)
    {
        var h = Mix(hash + _seed);
        var f = Fingerprint(h);
        var (h0, h1, h2) = Positions(h);
        return (f ^ Slot(h0) ^ Slot(h1) ^ Slot(h2)) == 0;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _seed);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], Bits);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], _segmentLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], SegmentCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], _slots.Length);
        _slots.CopyTo(destination[HeaderBytes..]);
    }

    /// <summary>Reads a filter written by <see cref="WriteTo"/>; false when the header is impossible.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out FuseFilter? filter, out int consumed)
    {
        filter = null;
        consumed = 0;
        if (source.Length < HeaderBytes) return false;
        var seed = BinaryPrimitives.ReadUInt64LittleEndian(source);
        var bits = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        var segmentLength = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        var segmentCount = BinaryPrimitives.ReadInt32LittleEndian(source[16..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(source[20..]);
        if (bits is < 1 or > 16 || segmentLength is < 1 or > MaxSegmentLength || (segmentLength & (segmentLength - 1)) != 0
            || segmentCount < 1 || length != PackedBytes((long)(segmentCount + 2) * segmentLength, bits)
            || source.Length < HeaderBytes + length) return false;
        filter = new FuseFilter(bits, seed, segmentLength, segmentCount, source.Slice(HeaderBytes, length).ToArray());
        consumed = HeaderBytes + length;
        return true;
    }

    /// <summary>Builds a filter over distinct hashes (reusing <paramref name="scratch"/>'s arrays).</summary>
    public static FuseFilter Build(ReadOnlySpan<ulong> hashes, int bits, Scratch scratch)
    {
        var size = hashes.Length;
        var segmentLength = size == 0 ? 4 : Math.Min(1 << (int)Math.Floor(Math.Log(size) / Math.Log(3.33) + 2.25), MaxSegmentLength);
        var sizeFactor = size <= 1 ? 0 : Math.Max(1.125, 0.875 + 0.25 * Math.Log(1_000_000) / Math.Log(size));
        var capacity = size <= 1 ? 0 : (long)Math.Round(size * sizeFactor);
        var segmentCount = (int)Math.Max(1, (capacity + segmentLength - 1) / segmentLength - 2);
        var slots = (segmentCount + 2) * segmentLength;
        var rng = 0x726b2b9d438b9d4dUL;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var filter = new FuseFilter(bits, SplitMix(ref rng), segmentLength, segmentCount, new byte[PackedBytes(slots, bits)]);
            if (filter.TryPopulate(hashes, scratch)) return filter;
        }
        throw new InvalidOperationException($"A fuse filter over {size} hashes did not build in 100 attempts (repeated hashes?).");
    }

    /// <summary>Construction arrays, kept between builds.</summary>
    internal sealed class Scratch
    {
        public byte[] Count = [];
        public ulong[] Xor = [];
        public int[] Alone = [];
        public ulong[] Order = [];
        public byte[] Found = [];

        public void Reset(int slots, int size)
        {
            if (Count.Length < slots)
            {
                Count = new byte[slots];
                Xor = new ulong[slots];
                Alone = new int[slots];
            }
            else
            {
                Array.Clear(Count, 0, slots);
                Array.Clear(Xor, 0, slots);
            }
            if (Order.Length < size)
            {
                Order = new ulong[size];
                Found = new byte[size];
            }
        }
    }

    // Peeling: count how many keys land in each slot (and xor their hashes); a slot with one key fixes that key's
    // slot choice; remove it from its other two slots and repeat. Then assign fingerprints in reverse.
    private bool TryPopulate(ReadOnlySpan<ulong> hashes, Scratch scratch)
    {
        var slots = SlotCount;
        scratch.Reset(slots, hashes.Length);
        var count = scratch.Count;
        var xor = scratch.Xor;
        foreach (var key in hashes)
        {
            var h = Mix(key + _seed);
            var (h0, h1, h2) = Positions(h);
            count[h0] += 4;
            xor[h0] ^= h;
            count[h1] += 4;
            count[h1] ^= 1;
            xor[h1] ^= h;
            count[h2] += 4;
            count[h2] ^= 2;
            xor[h2] ^= h;
            // A slot counts up to 63 keys in its upper six bits; more means this seed is hopeless.
            if (count[h0] < 4 || count[h1] < 4 || count[h2] < 4) return false;
        }
        var alone = scratch.Alone;
        var queued = 0;
        for (var i = 0; i < slots; i++)
        {
            alone[queued] = i;
            if (count[i] >> 2 == 1) queued++;
        }
        var order = scratch.Order;
        var found = scratch.Found;
        var stack = 0;
        Span<int> h012 = stackalloc int[5];
        while (queued > 0)
        {
            var index = alone[--queued];
            if (count[index] >> 2 != 1) continue;
            var h = xor[index];
            (h012[0], h012[1], h012[2]) = Positions(h);
            h012[3] = h012[0];
            h012[4] = h012[1];
            var which = count[index] & 3;
            found[stack] = (byte)which;
            order[stack++] = h;
            for (var k = 1; k <= 2; k++)
            {
                var other = h012[which + k];
                alone[queued] = other;
                if (count[other] >> 2 == 2) queued++;
                count[other] -= 4;
                count[other] ^= (byte)Mod3(which + k);
                xor[other] ^= h;
            }
        }
        if (stack != hashes.Length) return false;
        for (var i = stack - 1; i >= 0; i--)
        {
            var h = order[i];
            (h012[0], h012[1], h012[2]) = Positions(h);
            h012[3] = h012[0];
            h012[4] = h012[1];
            var which = found[i];
            SetSlot(h012[which], Fingerprint(h) ^ Slot(h012[which + 1]) ^ Slot(h012[which + 2]));
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int, int, int) Positions(ulong h)
    {
        var h0 = (int)Math.BigMul(h, (ulong)_segmentCountLength, out _);
        var mask = _segmentLength - 1;
        var h1 = (h0 + _segmentLength) ^ ((int)(h >> 18) & mask);
        var h2 = (h0 + 2 * _segmentLength) ^ ((int)h & mask);
        return (h0, h1, h2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Fingerprint(ulong h) => (uint)(h ^ (h >> 32)) & _fingerprintMask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Slot(int index)
    {
        var bit = (long)index * Bits;
        var word = Unsafe.ReadUnaligned<ulong>(ref _slots[bit >> 3]);
        return (uint)(word >> (int)(bit & 7)) & _fingerprintMask;
    }

    private void SetSlot(int index, uint value)
    {
        var bit = (long)index * Bits;
        ref var at = ref _slots[bit >> 3];
        var word = Unsafe.ReadUnaligned<ulong>(ref at);
        var shift = (int)(bit & 7);
        word = (word & ~((ulong)_fingerprintMask << shift)) | ((ulong)(value & _fingerprintMask) << shift);
        Unsafe.WriteUnaligned(ref at, word);
    }

    // Packed slots plus 8 bytes, so reading a whole ulong at the last slot stays inside the array.
    private static int PackedBytes(long slots, int bits) => checked((int)((slots * bits + 7) / 8 + 8));

    private static int Mod3(int x) => x > 2 ? x - 3 : x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        return h ^ (h >> 33);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
