using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pix.Storage.Queues;

/// <summary>
/// How a checkpoint of format version 2 holds one queue (its "unit"), written by <see cref="QueueImage.WriteCompact"/>
/// and read by <see cref="IspbQueue.BeginCompact"/> / <see cref="IspbQueue.ReadBlock"/>:
/// <code>
/// base (8) | next (8) | cursor (8) | has prefix (1) | id high (8) | id middle (8)
/// | streams (4) | per stream: id (8), batch (4), claims (4), sequences (8 each)
/// | block lengths (4 each, one per block) | blocks
/// </code>
/// Block k holds the entries of sequences <c>base + k * 4096</c> up to 4,096 of them: exactly the chunk recovery
/// fills (<see cref="QueueChunk"/>), so threads decode blocks at once, straight into their chunk, with no pass to find
/// where they start. Per entry a head byte (state in the low two bits; <see cref="WholeId"/> when the id's first 16
/// bytes are not the queue's prefix), then for a message not acknowledged four varints, each a delta from the
/// previous such entry of the block (from 0 at a block's start): the id's sequence word and the log position
/// (zigzag), the payload length, the stored-at milliseconds (zigzag); then, with <see cref="WholeId"/>, the id's high
/// and middle words (8 each). A run of acknowledged entries is <see cref="AckedRun"/> and its length (varint).
/// The 16-byte prefix every id of a store shares is written once per queue, not per message: a message of a busy
/// queue takes about 6 bytes instead of the 45 of version 1.
/// </summary>
internal static class QueueUnitFormat
{
    public const byte Unclaimed = 0, Claimed = 1, Acked = 2, AckedRun = 3;
    public const byte StateMask = 0x03;
    public const byte WholeId = 0x04;

    /// <summary>Bytes of a unit before its streams.</summary>
    public const int HeaderBytes = 8 + 8 + 8 + 1 + 8 + 8;

    public static int BlockCount(long @base, long next) => (int)((next - @base + QueueChunk.Mask) >> QueueChunk.Shift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadVarUInt64(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = bytes[at++];
        if (value < 0x80) return value;
        value &= 0x7F;
        for (var shift = 7; ; shift += 7)
        {
            if (shift > 63) throw Malformed("a varint longer than 10 bytes");
            ulong next = bytes[at++];
            value |= (next & 0x7F) << shift;
            if (next < 0x80) return value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ReadVarInt64(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = ReadVarUInt64(bytes, ref at);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public static ulong ReadUInt64(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
        at += 8;
        return value;
    }

    public static InvalidDataException Malformed(string what) => new($"The checkpoint is malformed: {what}.");
}
