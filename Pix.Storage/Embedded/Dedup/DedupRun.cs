using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// One immutable run file: keys sorted by hash in 4 KiB blocks. In memory it keeps only the fences (4 bytes per
/// block, under 0.05 byte per key) and the filter (about 1.84 bytes per key); a lookup that passes the filter reads the one block its hash falls
/// in (two in the rare case a 32-bit hash prefix repeats across a block boundary).
/// </summary>
internal sealed class DedupRun : IDisposable
{
    private readonly DedupFile _file;
    private readonly uint[] _fences;
    private readonly DedupRunFilter _filter;
    private readonly DedupRunFormat.Footer _footer;

    public DedupRun(long id, int level, DedupFile file, DedupRunFormat.Footer footer, uint[] fences, DedupRunFilter filter)
    {
        Id = id;
        Level = level;
        _file = file;
        _footer = footer;
        _fences = fences;
        _filter = filter;
    }

    public long Id { get; }

    /// <summary>How many merges made it: 0 for a flushed table.</summary>
    public int Level { get; }

    public long Entries => _footer.Entries;

    /// <summary>Blocks of entries (a cursor's buffer need not be larger).</summary>
    public long Blocks => _footer.Blocks;

    public long MinAtMs => _footer.MinAtMs;

    public long MaxAtMs => _footer.MaxAtMs;

    public string FileName => _file.Name;

    public long DiskBytes => _footer.FooterOffset + DedupRunFormat.FooterBytes;

    /// <summary>Filter and fences: what this run costs in memory.</summary>
    public long MemoryBytes => _filter.ByteLength + _fences.LongLength * sizeof(uint);

    /// <summary>Opens a run written earlier, reading and checking its footer, fences and filter.</summary>
    public static DedupRun Open(DedupFiles files, long id, int level)
    {
        var file = files.OpenRead(DedupRunFormat.FileName(id));
        try
        {
            var length = file.Length;
            Span<byte> tail = stackalloc byte[DedupRunFormat.FooterBytes];
            if (length < DedupRunFormat.FooterBytes || file.ReadAt(tail, length - DedupRunFormat.FooterBytes) != tail.Length
                || !DedupRunFormat.Footer.TryRead(tail, out var footer) || footer.FooterOffset != length - DedupRunFormat.FooterBytes)
            {
                throw Damaged(file.Name, length - DedupRunFormat.FooterBytes, "footer");
            }
            var fences = new uint[footer.Blocks];
            var fenceBytes = MemoryMarshal.AsBytes(fences.AsSpan());
            var filterBytes = new byte[footer.FilterBytes];
            if (file.ReadAt(fenceBytes, footer.FencesOffset) != fenceBytes.Length
                || file.ReadAt(filterBytes, footer.FilterOffset) != filterBytes.Length)
            {
                throw Damaged(file.Name, footer.FencesOffset, "fences and filter (short)");
            }
            var crc = new Crc32();
            crc.Append(fenceBytes);
            crc.Append(filterBytes);
            if (crc.GetCurrentHashAsUInt32() != footer.MetaCrc || !DedupRunFilter.TryRead(filterBytes, out var filter))
            {
                throw Damaged(file.Name, footer.FencesOffset, "fences and filter");
            }
            return new DedupRun(id, level, file, footer, fences, filter!);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool MayContain(ulong hash) => _filter.MayContain(hash);

    /// <summary>Finds the key (filter, then one block read); the entry is returned whatever its age.</summary>
    public bool TryGet(in DedupKey key, ulong hash, out DedupEntry found)
    {
        found = default;
        if (!_filter.MayContain(hash)) return false;
        var fence = DedupRunFormat.FenceOf(hash);
        var block = LastBlockAtOrBelow(fence);
        if (block < 0) return false;
        Span<byte> buffer = stackalloc byte[DedupRunFormat.BlockBytes];
        while (true)
        {
            if (FindInBlock(block, key, buffer, out found)) return true;
            // Entries with this fence may begin in the block before (a 32-bit prefix repeated across a boundary).
            if (block == 0 || _fences[block] != fence) return false;
            block--;
        }
    }

    /// <summary>Reads every entry in run order (for a merge).</summary>
    public DedupRunCursor OpenCursor() => new(this);

    internal int ReadBlocks(Span<byte> destination, long firstBlock)
    {
        var blocks = (int)Math.Min(destination.Length / DedupRunFormat.BlockBytes, _footer.Blocks - firstBlock);
        if (blocks <= 0) return 0;
        var bytes = destination[..(blocks * DedupRunFormat.BlockBytes)];
        if (_file.ReadAt(bytes, firstBlock * DedupRunFormat.BlockBytes) != bytes.Length)
        {
            throw Damaged(_file.Name, firstBlock * DedupRunFormat.BlockBytes, "block (short read)");
        }
        return blocks;
    }

    internal InvalidDataException DamagedBlock(long block) => Damaged(_file.Name, block * DedupRunFormat.BlockBytes, "block");

    public void Dispose() => _file.Dispose();

    private bool FindInBlock(long block, in DedupKey key, Span<byte> buffer, out DedupEntry found)
    {
        found = default;
        var offset = block * DedupRunFormat.BlockBytes;
        if (_file.ReadAt(buffer, offset) != buffer.Length) throw Damaged(_file.Name, offset, "block (short read)");
        var count = DedupRunFormat.CheckBlock(buffer);
        if (count < 0) throw Damaged(_file.Name, offset, "block");
        for (var i = 0; i < count; i++)
        {
            var at = buffer[(i * DedupEntry.ByteLength)..];
            if (BinaryPrimitives.ReadUInt64LittleEndian(at[8..]) != key.B
                || BinaryPrimitives.ReadUInt64LittleEndian(at) != key.A
                || BinaryPrimitives.ReadUInt64LittleEndian(at[16..]) != key.C
                || BinaryPrimitives.ReadUInt64LittleEndian(at[24..]) != key.D) continue;
            found = DedupEntry.ReadFrom(at);
            return true;
        }
        return false;
    }

    private long LastBlockAtOrBelow(uint fence)
    {
        long lo = 0, hi = _fences.LongLength - 1, result = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_fences[mid] <= fence)
            {
                result = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return result;
    }

    private static InvalidDataException Damaged(string file, long offset, string what) =>
        new($"Dedup index file {file} is damaged at offset {offset}: {what} fails its check.");
}
