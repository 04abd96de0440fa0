using System.Security.Cryptography;

namespace Pix.Server.Streams;

/// <summary>
/// Fencing values for stream leases: unique per request across every node sharing a store (a random per-process
/// prefix, then a counter), never 0, so a parked request can prove in the store that the lease is still its own.
/// </summary>
internal sealed class LeaseValues
{
    private readonly ulong _prefix = (ulong)RandomNumberGenerator.GetInt32(1, 1 << 24) << 40;
    private long _counter;

    public ulong Next() => _prefix | ((ulong)Interlocked.Increment(ref _counter) & ((1UL << 40) - 1));
}
