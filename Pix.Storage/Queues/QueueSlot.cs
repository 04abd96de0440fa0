using System.Runtime.InteropServices;

namespace Pix.Storage.Queues;

/// <summary>
/// What a queue keeps per message: 28 bytes (plus a state byte beside it), so that RAM per unacknowledged message
/// stays well under 64 B even right after the array doubled. The id's first 16 bytes (the "PI", version and
/// instance prefix) are the same for every message of a store and live once in the queue; the payload stays on disk.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct QueueSlot
{
    public ulong IdLow;
    public long Position;
    public long StoredAtUnixMs;
    public int Length;
}
