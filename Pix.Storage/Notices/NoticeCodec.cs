using System.Buffers.Binary;
using Pix.Protocol.Ids;

namespace Pix.Storage.Notices;

/// <summary>
/// The bytes of an outbox entry, the same in every adapter: entry id (24), kind (1), receiver (8), the message it
/// concerns (24, zero when none), time (8), then four length-prefixed (2 bytes) texts: reference, reason, location,
/// description. An empty reference on a rejection means "the message's PI-ResourceId".
/// </summary>
public static class NoticeCodec
{
    private const int FixedLength = 24 + 1 + 8 + 24 + 8;
    private const int MaxText = 1024;

    public static int Length(in NoticeRequest notice) =>
        FixedLength + 8 + Clip(notice.Reference.Length) + Clip(notice.Reason.Length) + Clip(notice.Location.Length) + Clip(notice.Description.Length);

    public static void Write(Span<byte> destination, ResourceId entryId, in NoticeRequest notice, ResourceId message, long createdAtUnixMs)
    {
        entryId.WriteBytes(destination);
        destination[24] = (byte)notice.Kind;
        BinaryPrimitives.WriteUInt64BigEndian(destination[25..], notice.To.Packed);
        message.WriteBytes(destination[33..]);
        BinaryPrimitives.WriteInt64BigEndian(destination[57..], createdAtUnixMs);
        var at = FixedLength;
        at = Text(destination, at, notice.Reference.Span);
        at = Text(destination, at, notice.Reason.Span);
        at = Text(destination, at, notice.Location.Span);
        Text(destination, at, notice.Description.Span);
    }

    public static byte[] ToArray(ResourceId entryId, in NoticeRequest notice, ResourceId message, long createdAtUnixMs)
    {
        var bytes = new byte[Length(notice)];
        Write(bytes, entryId, notice, message, createdAtUnixMs);
        return bytes;
    }

    public static PendingNotice Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < FixedLength + 8) throw new InvalidDataException("An outbox entry is cut short.");
        var at = FixedLength;
        var reference = ReadText(source, ref at);
        var reason = ReadText(source, ref at);
        var location = ReadText(source, ref at);
        var description = ReadText(source, ref at);
        return new PendingNotice(
            ResourceId.FromBytes(source),
            (NoticeKind)source[24],
            new Ispb(BinaryPrimitives.ReadUInt64BigEndian(source[25..])),
            ResourceId.FromBytes(source[33..]),
            reference, reason, location, description,
            BinaryPrimitives.ReadInt64BigEndian(source[57..]));
    }

    /// <summary>The entry id of the bytes, without reading the rest.</summary>
    public static ResourceId EntryIdOf(ReadOnlySpan<byte> source) => ResourceId.FromBytes(source);

    private static int Clip(int length) => Math.Min(length, MaxText);

    private static int Text(Span<byte> destination, int at, ReadOnlySpan<byte> text)
    {
        text = text[..Clip(text.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)text.Length);
        text.CopyTo(destination[(at + 2)..]);
        return at + 2 + text.Length;
    }

    private static byte[] ReadText(ReadOnlySpan<byte> source, ref int at)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(source[at..]);
        var text = source.Slice(at + 2, length).ToArray();
        at += 2 + length;
        return text;
    }
}
