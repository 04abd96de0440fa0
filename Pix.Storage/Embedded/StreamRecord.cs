using System.Buffers.Binary;
using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded;

/// <summary>
/// A change of stream state as the log holds it: a stream opened, a batch claimed (and the previous one
/// acknowledged), or a stream closed (acknowledging or releasing its batch). Claims carry their sequences, so replay
/// does not depend on the order in which competing streams raced.
/// </summary>
internal static class StreamRecord
{
    // ispb (8) | stream (8) | batch (4) | flag (1) | count (1) | sequences (8 each)
    private const int FixedBodyLength = 22;

    public static int WriteOpened(Span<byte> record, Ispb ispb, ulong streamId) =>
        Frame(record, LogRecordType.StreamOpened, ispb, streamId, 0, false, []);

    public static int WriteClaimed(Span<byte> record, Ispb ispb, ulong streamId, uint batch, bool acknowledgedPrevious, ReadOnlySpan<StoredMessage> claimed)
    {
        Span<long> sequences = stackalloc long[claimed.Length];
        for (var i = 0; i < claimed.Length; i++) sequences[i] = claimed[i].Sequence;
        return Frame(record, LogRecordType.Claimed, ispb, streamId, batch, acknowledgedPrevious, sequences);
    }

    public static int WriteClosed(Span<byte> record, Ispb ispb, ulong streamId, bool acknowledged) =>
        Frame(record, LogRecordType.StreamClosed, ispb, streamId, 0, acknowledged, []);

    public readonly ref struct View(ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _body = body;

        public Ispb Ispb => new(BinaryPrimitives.ReadUInt64LittleEndian(_body));
        public ulong StreamId => BinaryPrimitives.ReadUInt64LittleEndian(_body[8..]);
        public uint Batch => BinaryPrimitives.ReadUInt32LittleEndian(_body[16..]);
        public bool Flag => _body[20] != 0;
        public int Count => _body[21];
        public long Sequence(int index) => BinaryPrimitives.ReadInt64LittleEndian(_body[(FixedBodyLength + index * 8)..]);
    }

    private static int Frame(Span<byte> record, LogRecordType type, Ispb ispb, ulong streamId, uint batch, bool flag, ReadOnlySpan<long> sequences)
    {
        var bodyLength = FixedBodyLength + sequences.Length * 8;
        var body = record[LogRecordFrame.HeaderLength..];
        BinaryPrimitives.WriteUInt64LittleEndian(body, ispb.Packed);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], streamId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], batch);
        body[20] = flag ? (byte)1 : (byte)0;
        body[21] = (byte)sequences.Length;
        for (var i = 0; i < sequences.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(body[(FixedBodyLength + i * 8)..], sequences[i]);
        LogRecordFrame.WriteHeader(record, type, bodyLength);
        return LogRecordFrame.HeaderLength + bodyLength;
    }
}
