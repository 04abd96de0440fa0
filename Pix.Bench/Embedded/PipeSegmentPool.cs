using System.Buffers;
using System.Numerics;

namespace Pix.Bench.Embedded;

/// <summary>
/// The memory of <see cref="EmbeddedServer"/>'s two pipes: arrays by power-of-two size, kept for good, each with
/// its owner object, so a warm harness allocates nothing of its own. A socket's pipes come from Kestrel's block pool,
/// not <c>ArrayPool.Shared</c>; the shared pool in their place put the harness's bytes into the gate's count: a size
/// first returned in the measured iteration made its per-core stacks there (about 4.8 KB with the array it missed,
/// once in 60 gate-like windows of <c>pix-bench alloc-trace --windows</c>), and it trims what sat idle across the
/// forced collections.
/// </summary>
internal sealed class PipeSegmentPool : MemoryPool<byte>
{
    private const int MinimumSize = 4096;
    private readonly Stack<Owner>[] _free = new Stack<Owner>[32];

    public PipeSegmentPool()
    {
        for (var i = 0; i < _free.Length; i++) _free[i] = new Stack<Owner>();
    }

    public override int MaxBufferSize => 1 << 24;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minBufferSize, MinimumSize));
        var free = _free[BitOperations.Log2((uint)size)];
        lock (free)
        {
            if (free.TryPop(out var owner)) return owner;
        }
        return new Owner(this, new byte[size]);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private void Return(Owner owner)
    {
        var free = _free[BitOperations.Log2((uint)owner.Memory.Length)];
        lock (free) free.Push(owner);
    }

    private sealed class Owner(PipeSegmentPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose() => pool.Return(this);
    }
}
