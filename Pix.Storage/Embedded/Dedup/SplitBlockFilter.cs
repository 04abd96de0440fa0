using System.Runtime.CompilerServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// A split block Bloom filter (as in Parquet and Impala): each key sets one bit in each of the eight 32-bit words of
/// one 32-byte block, so a lookup touches one cache line. At 14 bits per key it answers "maybe" for about 0.2 % of
/// absent keys (measured in the dedup benchmark).
/// </summary>
internal sealed class SplitBlockFilter
{
    public const int BlockBytes = 32;
    private const int WordsPerBlock = 8;

    private static ReadOnlySpan<uint> Salts =>
        [0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU, 0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U];

    private readonly uint[] _words;
    private readonly ulong _blocks;

    public SplitBlockFilter(uint[] words)
    {
        if (words.Length == 0 || words.Length % WordsPerBlock != 0) throw new ArgumentException("A filter is whole 32-byte blocks.");
        _words = words;
        _blocks = (ulong)(words.Length / WordsPerBlock);
    }

    public static SplitBlockFilter ForKeys(long keys, int bitsPerKey)
    {
        var blocks = Math.Max(1, (keys * bitsPerKey + BlockBytes * 8 - 1) / (BlockBytes * 8));
        return new SplitBlockFilter(new uint[blocks * WordsPerBlock]);
    }

    public uint[] Words => _words;

    public long ByteLength => _words.LongLength * sizeof(uint);

    public void Add(ulong hash)
    {
        var block = BlockOf(hash);
        var key = (uint)hash;
        for (var i = 0; i < WordsPerBlock; i++) _words[block + i] |= 1U << (int)((key * Salts[i]) >> 27);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(ulong hash)
    {
        var block = BlockOf(hash);
        var key = (uint)hash;
        var words = _words.AsSpan(block, WordsPerBlock);
        for (var i = 0; i < WordsPerBlock; i++)
        {
            if ((words[i] & (1U << (int)((key * Salts[i]) >> 27))) == 0) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BlockOf(ulong hash) => (int)(((hash >> 32) * _blocks) >> 32) * WordsPerBlock;
}
