using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded;

/// <summary>
/// The outbox in the log: <see cref="LogRecordType.Notice"/> holds an entry's bytes (<c>NoticeCodec</c>), written in
/// the same group as the messages it concerns, so the 201 that follows the group's fsync covers both;
/// <see cref="LogRecordType.NoticeSent"/> holds the entry id, written right after the notice's own message record,
/// so a crash between them sends the entry again, which dedup turns into nothing.
/// </summary>
internal static class NoticeRecord
{
    public static int Length(int entryBytes) => LogRecordFrame.HeaderLength + entryBytes;

    /// <summary>Frames a Notice record around <paramref name="record"/>[header..] which the caller filled with the entry.</summary>
    public static void FrameNotice(Span<byte> record, int entryBytes) => LogRecordFrame.WriteHeader(record, LogRecordType.Notice, entryBytes);

    public const int SentLength = LogRecordFrame.HeaderLength + ResourceId.ByteLength;

    public static void WriteSent(Span<byte> record, ResourceId entryId)
    {
        entryId.WriteBytes(record[LogRecordFrame.HeaderLength..]);
        LogRecordFrame.WriteHeader(record, LogRecordType.NoticeSent, ResourceId.ByteLength);
    }
}
