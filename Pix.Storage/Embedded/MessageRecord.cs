using System.Buffers.Binary;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Storage.Embedded;

/// <summary>
/// A stored message as the log holds it: its routing, id, dedup key, disposition and time, then the payload bytes
/// as they came in (the payload is last so a read copies it straight from the file into the socket's buffer).
/// The dedup key is stored exactly (its sender word is <see cref="From"/>), so recovery rebuilds the dedup index
/// from the log after its watermark.
/// </summary>
internal readonly record struct MessageRecord(
    Ispb To,
    Ispb From,
    ResourceId Id,
    Disposition Disposition,
    bool HasKey,
    DedupKey Key,
    long StoredAtUnixMs,
    int PayloadLength)
{
    public const int FixedBodyLength = 78;

    /// <summary>Where the payload starts, counted from the start of the record.</summary>
    public const int PayloadOffset = LogRecordFrame.HeaderLength + FixedBodyLength;

    public int RecordLength => PayloadOffset + PayloadLength;

    /// <summary>Writes the whole framed record; <paramref name="record"/> is exactly <see cref="RecordLength"/> long.</summary>
    public void Write(Span<byte> record, ReadOnlySpan<byte> payload)
    {
        var body = record[LogRecordFrame.HeaderLength..];
        BinaryPrimitives.WriteUInt64LittleEndian(body, To.Packed);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], From.Packed);
        BinaryPrimitives.WriteUInt64LittleEndian(body[16..], Id.High);
        BinaryPrimitives.WriteUInt64LittleEndian(body[24..], Id.Middle);
        BinaryPrimitives.WriteUInt64LittleEndian(body[32..], Id.Low);
        body[40] = (byte)Disposition;
        body[41] = HasKey ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64LittleEndian(body[42..], Key.B);
        BinaryPrimitives.WriteUInt64LittleEndian(body[50..], Key.C);
        BinaryPrimitives.WriteUInt64LittleEndian(body[58..], Key.D);
        BinaryPrimitives.WriteInt64LittleEndian(body[66..], StoredAtUnixMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[74..], PayloadLength);
        payload.CopyTo(body[FixedBodyLength..]);
        LogRecordFrame.WriteHeader(record, LogRecordType.Message, FixedBodyLength + PayloadLength);
    }

    /// <summary>Turns a framed Message record (read back from the log) into the MessageMoved record that replaces it.</summary>
    public static void Retype(Span<byte> record, LogRecordType type) => LogRecordFrame.WriteHeader(record, type, record.Length - LogRecordFrame.HeaderLength);

    public static MessageRecord Read(ReadOnlySpan<byte> body)
    {
        var from = new Ispb(BinaryPrimitives.ReadUInt64LittleEndian(body[8..]));
        return new MessageRecord(
            new Ispb(BinaryPrimitives.ReadUInt64LittleEndian(body)),
            from,
            new ResourceId(
                BinaryPrimitives.ReadUInt64LittleEndian(body[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(body[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(body[32..])),
            (Disposition)body[40],
            body[41] != 0,
            new DedupKey(from.Packed, BinaryPrimitives.ReadUInt64LittleEndian(body[42..]),
                BinaryPrimitives.ReadUInt64LittleEndian(body[50..]), BinaryPrimitives.ReadUInt64LittleEndian(body[58..])),
            BinaryPrimitives.ReadInt64LittleEndian(body[66..]),
            BinaryPrimitives.ReadInt32LittleEndian(body[74..]));
    }
}
