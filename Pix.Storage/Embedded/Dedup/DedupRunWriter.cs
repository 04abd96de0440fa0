using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// Writes one run file from entries given in run order, through a buffer of up to 1 MiB; <see cref="Finish"/> writes fences,
/// filter and footer, fsyncs, and opens the run from what it kept in memory (no read back).
/// </summary>
internal sealed class DedupRunWriter : IDisposable
{
    private const int BufferBlocks = 256;

    private readonly DedupFile _file;
    private readonly long _id;
    private readonly int _level;
    private readonly byte[] _buffer;
    private readonly List<uint> _fences = new();
    private readonly DedupRunFilter.Builder _filter;
    private int _bufferUsed;
    private int _inBlock;
    private long _written;
    private long _entries;
    private long _minAtMs = long.MaxValue;
    private long _maxAtMs = long.MinValue;
    private bool _finished;

    public DedupRunWriter(DedupFiles files, long id, int level, long maxEntries, int fingerprintBits)
    {
        _id = id;
        _level = level;
        _file = files.Create(DedupRunFormat.FileName(id));
        // No larger than the run can be: a small table's run must not take 1 MiB (large-object heap) to write.
        var blocks = (maxEntries + DedupRunFormat.EntriesPerBlock - 1) / DedupRunFormat.EntriesPerBlock;
        _buffer = new byte[Math.Clamp(blocks, 1, BufferBlocks) * DedupRunFormat.BlockBytes];
        _filter = new DedupRunFilter.Builder(maxEntries, fingerprintBits);
    }

    public long Id => _id;

    public long Entries => _entries;

    public void Append(in DedupEntry entry, ulong hash)
    {
        if (_inBlock == 0) _fences.Add(DedupRunFormat.FenceOf(hash));
        entry.WriteTo(_buffer.AsSpan(_bufferUsed + _inBlock * DedupEntry.ByteLength));
        _filter.Add(hash);
        _entries++;
        if (entry.AtMs < _minAtMs) _minAtMs = entry.AtMs;
        if (entry.AtMs > _maxAtMs) _maxAtMs = entry.AtMs;
        if (++_inBlock == DedupRunFormat.EntriesPerBlock) SealBlock();
    }

    /// <summary>Writes the rest, fsyncs, and hands the file over to the returned run.</summary>
    public DedupRun Finish()
    {
        if (_inBlock > 0) SealBlock();
        FlushBuffer();
        var fences = _fences.ToArray();
        var filter = _filter.Finish();
        var fenceBytes = MemoryMarshal.AsBytes(fences.AsSpan());
        var footer = new DedupRunFormat.Footer(_entries, fences.Length, filter.ByteLength, _minAtMs, _maxAtMs, 0);
        var crc = new Crc32();
        _file.WriteAt(fenceBytes, footer.FencesOffset);
        crc.Append(fenceBytes);
        filter.WriteTo(_file, footer.FilterOffset, crc);
        footer = footer with { MetaCrc = crc.GetCurrentHashAsUInt32() };
        Span<byte> tail = stackalloc byte[DedupRunFormat.FooterBytes];
        footer.WriteTo(tail);
        _file.WriteAt(tail, footer.FooterOffset);
        _file.Sync();
        _finished = true;
        return new DedupRun(_id, _level, _file, footer, fences, filter);
    }

    public void Dispose()
    {
        if (!_finished) _file.Dispose();
    }

    private void SealBlock()
    {
        var block = _buffer.AsSpan(_bufferUsed, DedupRunFormat.BlockBytes);
        block[(_inBlock * DedupEntry.ByteLength)..DedupRunFormat.CountOffset].Clear();
        block[(DedupRunFormat.CountOffset + 4)..DedupRunFormat.CrcOffset].Clear();
        DedupRunFormat.SealBlock(block, _inBlock);
        _inBlock = 0;
        _bufferUsed += DedupRunFormat.BlockBytes;
        if (_bufferUsed == _buffer.Length) FlushBuffer();
    }

    private void FlushBuffer()
    {
        if (_bufferUsed == 0) return;
        _file.WriteAt(_buffer.AsSpan(0, _bufferUsed), _written);
        _written += _bufferUsed;
        _bufferUsed = 0;
    }
}
