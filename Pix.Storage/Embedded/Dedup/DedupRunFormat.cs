using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// The layout of a run file: 4 KiB blocks of up to 85 entries sorted by (hash, key), each block ending with its
/// entry count and a CRC32; then the upper 32 bits of each block's first hash (the fences), then the filter
/// (<see cref="DedupRunFilter"/>), then a 64-byte footer.
/// Fences and filter are read into memory when the run opens; a lookup reads one block.
/// </summary>
internal static class DedupRunFormat
{
    public const int BlockBytes = 4096;
    public const int EntriesPerBlock = (BlockBytes - 16) / DedupEntry.ByteLength;
    public const int CountOffset = EntriesPerBlock * DedupEntry.ByteLength;
    public const int CrcOffset = BlockBytes - 4;
    public const int FooterBytes = 64;
    public const int FormatVersion = 2;

    private static ReadOnlySpan<byte> Magic => "PIXDDRUN"u8;

    /// <summary>A block's fence: the upper half of its first entry's hash.</summary>
    public static uint FenceOf(ulong hash) => (uint)(hash >> 32);

    public static string FileName(long id) => $"run-{id:D12}.dat";

    public static bool TryParseFileName(string name, out long id)
    {
        id = 0;
        return name.Length == 20 && name.StartsWith("run-", StringComparison.Ordinal)
            && name.EndsWith(".dat", StringComparison.Ordinal) && long.TryParse(name.AsSpan(4, 12), out id);
    }

    /// <summary>Seals a block: count and CRC32 over everything before the CRC.</summary>
    public static void SealBlock(Span<byte> block, int count)
    {
        BinaryPrimitives.WriteInt32LittleEndian(block[CountOffset..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(block[CrcOffset..], Crc32.HashToUInt32(block[..CrcOffset]));
    }

    /// <summary>The block's entry count, or -1 when its CRC does not match (damaged).</summary>
    public static int CheckBlock(ReadOnlySpan<byte> block)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(block[CrcOffset..]) != Crc32.HashToUInt32(block[..CrcOffset])) return -1;
        var count = BinaryPrimitives.ReadInt32LittleEndian(block[CountOffset..]);
        return count is >= 0 and <= EntriesPerBlock ? count : -1;
    }

    public readonly record struct Footer(long Entries, long Blocks, long FilterBytes, long MinAtMs, long MaxAtMs, uint MetaCrc)
    {
        public long FencesOffset => Blocks * BlockBytes;

        public long FilterOffset => FencesOffset + Blocks * sizeof(uint);

        public long FooterOffset => FilterOffset + FilterBytes;

        public void WriteTo(Span<byte> destination)
        {
            destination[..FooterBytes].Clear();
            Magic.CopyTo(destination);
            BinaryPrimitives.WriteInt32LittleEndian(destination[8..], FormatVersion);
            BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Entries);
            BinaryPrimitives.WriteInt64LittleEndian(destination[24..], Blocks);
            BinaryPrimitives.WriteInt64LittleEndian(destination[32..], FilterBytes);
            BinaryPrimitives.WriteInt64LittleEndian(destination[40..], MinAtMs);
            BinaryPrimitives.WriteInt64LittleEndian(destination[48..], MaxAtMs);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[56..], MetaCrc);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[60..], Crc32.HashToUInt32(destination[..60]));
        }

        public static bool TryRead(ReadOnlySpan<byte> source, out Footer footer)
        {
            footer = default;
            if (source.Length < FooterBytes || !source.StartsWith(Magic)
                || BinaryPrimitives.ReadInt32LittleEndian(source[8..]) != FormatVersion
                || BinaryPrimitives.ReadUInt32LittleEndian(source[60..]) != Crc32.HashToUInt32(source[..60])) return false;
            footer = new Footer(
                BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[32..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[40..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[48..]),
                BinaryPrimitives.ReadUInt32LittleEndian(source[56..]));
            return true;
        }
    }
}
