using System.Buffers.Binary;
using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded;

/// <summary>
/// A change of stream state as the log holds it: a stream opened, a batch claimed (and the previous one
/// acknowledged), or a stream closed (acknowledging or releasing its batch). Claims carry their sequences, so replay
/// does not depend on the order in which competing streams raced, and the ids of the messages, so replay can check
/// that a sequence still names the message that was claimed (a mismatch is corruption, never a silent wrong ack).
/// </summary>
internal static class StreamRecord
{
    // ispb (8) | stream (8) | batch (4) | flag (1) | count (1) | per message: sequence (8) [| id (24), ClaimedIds]
    private const int FixedBodyLength = 22;
    private const int ClaimLength = 8 + ResourceId.ByteLength;

    /// <summary>The longest record: a claim of a full batch.</summary>
    public const int MaxLength = LogRecordFrame.HeaderLength + FixedBodyLength + MessageBatch.Capacity * ClaimLength;

    public static int WriteOpened(Span<byte> record, Ispb ispb, ulong streamId) =>
        Frame(record, LogRecordType.StreamOpened, ispb, streamId, 0, false, []);

    public static int WriteClaimed(Span<byte> record, Ispb ispb, ulong streamId, uint batch, bool acknowledgedPrevious, ReadOnlySpan<StoredMessage> claimed) =>
        Frame(record, LogRecordType.ClaimedIds, ispb, streamId, batch, acknowledgedPrevious, claimed);

    public static int WriteClosed(Span<byte> record, Ispb ispb, ulong streamId, bool acknowledged) =>
        Frame(record, LogRecordType.StreamClosed, ispb, streamId, 0, acknowledged, []);

    public readonly ref struct View(ReadOnlySpan<byte> body, bool withIds = false)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private readonly int _stride = withIds ? ClaimLength : 8;

        public Ispb Ispb => new(BinaryPrimitives.ReadUInt64LittleEndian(_body));
        public ulong StreamId => BinaryPrimitives.ReadUInt64LittleEndian(_body[8..]);
        public uint Batch => BinaryPrimitives.ReadUInt32LittleEndian(_body[16..]);
        public bool Flag => _body[20] != 0;
        public int Count => _body[21];
        public long Sequence(int index) => BinaryPrimitives.ReadInt64LittleEndian(_body[(FixedBodyLength + index * _stride)..]);
        public ResourceId Id(int index) => ResourceId.FromBytes(_body[(FixedBodyLength + index * _stride + 8)..]);
    }

    private static int Frame(Span<byte> record, LogRecordType type, Ispb ispb, ulong streamId, uint batch, bool flag, ReadOnlySpan<StoredMessage> claimed)
    {
        var bodyLength = FixedBodyLength + claimed.Length * ClaimLength;
        var body = record[LogRecordFrame.HeaderLength..];
        BinaryPrimitives.WriteUInt64LittleEndian(body, ispb.Packed);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], streamId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], batch);
        body[20] = flag ? (byte)1 : (byte)0;
        body[21] = (byte)claimed.Length;
        for (var i = 0; i < claimed.Length; i++)
        {
            var at = body[(FixedBodyLength + i * ClaimLength)..];
            BinaryPrimitives.WriteInt64LittleEndian(at, claimed[i].Sequence);
            claimed[i].Id.WriteBytes(at[8..]);
        }
        LogRecordFrame.WriteHeader(record, type, bodyLength);
        return LogRecordFrame.HeaderLength + bodyLength;
    }
}
