namespace Pix.Storage.Embedded.Dedup;

/// <summary>Reads a run's entries in order through a buffer of up to 1 MiB, checking each block.</summary>
internal sealed class DedupRunCursor
{
    private const int BufferBlocks = 256;

    private readonly DedupRun _run;
    private readonly byte[] _buffer;
    private long _nextBlock;
    private int _bufferedBlocks;
    private int _block;
    private int _index;
    private int _count;

    public DedupRunCursor(DedupRun run)
    {
        _run = run;
        // No larger than the run: a merge of small runs must not take 1 MiB (large-object heap) per input.
        _buffer = new byte[Math.Clamp(run.Blocks, 1, BufferBlocks) * DedupRunFormat.BlockBytes];
    }

    public DedupEntry Current;

    public ulong CurrentHash;

    public bool MoveNext()
    {
        while (_index >= _count)
        {
            if (++_block >= _bufferedBlocks && !Refill()) return false;
            _index = 0;
            _count = DedupRunFormat.CheckBlock(BlockSpan);
            if (_count < 0) throw _run.DamagedBlock(_nextBlock - _bufferedBlocks + _block);
        }
        Current = DedupEntry.ReadFrom(BlockSpan[(_index++ * DedupEntry.ByteLength)..]);
        CurrentHash = Current.Key.Hash();
        return true;
    }

    private ReadOnlySpan<byte> BlockSpan => _buffer.AsSpan(_block * DedupRunFormat.BlockBytes, DedupRunFormat.BlockBytes);

    private bool Refill()
    {
        _bufferedBlocks = _run.ReadBlocks(_buffer, _nextBlock);
        _nextBlock += _bufferedBlocks;
        _block = 0;
        return _bufferedBlocks > 0;
    }
}
