using System.Buffers.Binary;
using System.IO.Hashing;
using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>
/// The checkpoint writer of format version 1, as Pix wrote it before version 2 (kept here, not in the store, which
/// only reads version 1): per queue base, next, cursor, then per message a state byte and, unless acknowledged, the
/// whole id (24), position (8), length (4), stored-at (8); then the streams. The tests write with it what an existing
/// data directory holds and check that this build still opens it.
/// </summary>
internal static class CheckpointV1Writer
{
    private const byte Acked = 2;

    public static void WriteQueue(BinaryWriter writer, QueueImage image)
    {
        writer.Write(image.Base);
        writer.Write(image.Next);
        writer.Write(image.Cursor);
        for (var s = image.Base; s < image.Next; s++)
        {
            var state = image.StateAt(s);
            writer.Write(state);
            if (state == Acked) continue;
            var slot = image.SlotAt(s);
            var id = image.IdAt(s);
            writer.Write(id.High);
            writer.Write(id.Middle);
            writer.Write(id.Low);
            writer.Write(slot.Position);
            writer.Write(slot.Length);
            writer.Write(slot.StoredAtUnixMs);
        }
        writer.Write(image.Streams.Length);
        foreach (var (id, batch, claims) in image.Streams)
        {
            writer.Write(id);
            writer.Write(batch);
            writer.Write(claims.Length);
            foreach (var claim in claims) writer.Write(claim);
        }
    }

    public static byte[] Queue(IspbQueue queue)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory))
        {
            var image = queue.TakeCapture();
            WriteQueue(writer, image);
            queue.ReleaseCapture(image);
        }
        return memory.ToArray();
    }

    /// <summary>The same state as a version 2 checkpoint file, written as version 1: its queues read back with this
    /// build's reader and written with the old writer, counters and tail (outbox, quarantine) copied, since their
    /// layout did not change.</summary>
    public static byte[] FromVersion2(byte[] file)
    {
        Assert.Equal("PIXCKPT2"u8.ToArray(), file[..8]);
        var position = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8));
        var body = file.AsSpan(20, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16)));
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory))
        {
            writer.Write(body[..16]);
            var count = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
            writer.Write(count);
            var unit = 20 + 12 * count;
            for (var i = 0; i < count; i++)
            {
                var entry = body[(20 + 12 * i)..];
                var length = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
                writer.Write(entry[..8]);
                writer.Write(Queue(IspbQueue.ReadCompact(body.Slice(unit, length))));
                unit += length;
            }
            writer.Write(body[unit..]);
        }
        return Frame('1', position, memory.ToArray());
    }

    /// <summary>A whole checkpoint file: magic, version, position, body length, body, crc32 of all before it.</summary>
    public static byte[] Frame(char version, long position, ReadOnlySpan<byte> body)
    {
        var file = new byte[24 + body.Length];
        "PIXCKPT"u8.CopyTo(file);
        file[7] = (byte)version;
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(8), position);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), body.Length);
        body.CopyTo(file.AsSpan(20));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20 + body.Length), Crc32.HashToUInt32(file.AsSpan(0, 20 + body.Length)));
        return file;
    }
}
