using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded;

/// <summary>
/// What a damaged stretch of log held, as far as it can be read: each record whose header still makes sense, with
/// its type and the ids it names (which may themselves be damaged: the checksum failed). Said to the operator when
/// the store refuses to open and written beside the bytes a repair sets aside.
/// </summary>
internal static class DamageReport
{
    public static string Describe(ReadOnlySpan<byte> region)
    {
        var text = new StringBuilder();
        var at = 0;
        while (at < region.Length)
        {
            if (region.Length - at < LogRecordFrame.HeaderLength
                || !LogRecordFrame.TryReadHeader(region[at..], out var bodyLength, out var type)
                || !Enum.IsDefined(type)
                || region.Length - at - LogRecordFrame.HeaderLength < Math.Min(bodyLength, IdBytesOf(type)))
            {
                text.Append(CultureInfo.InvariantCulture, $"{region.Length - at} unreadable bytes at +{at}");
                break;
            }
            var available = Math.Min(bodyLength, region.Length - at - LogRecordFrame.HeaderLength);
            var body = region.Slice(at + LogRecordFrame.HeaderLength, available);
            text.Append(CultureInfo.InvariantCulture, $"a {type} record at +{at} ({LogRecordFrame.HeaderLength + bodyLength} bytes{Names(type, body)})");
            at += LogRecordFrame.HeaderLength + bodyLength;
            if (at < region.Length) text.Append("; ");
        }
        return text.ToString();
    }

    // How much of the body must be there to name what the record is about.
    private static int IdBytesOf(LogRecordType type) => type switch
    {
        LogRecordType.Message or LogRecordType.MessageMoved => 40,
        LogRecordType.Notice or LogRecordType.NoticeSent or LogRecordType.QuarantineReleased => ResourceId.ByteLength,
        LogRecordType.StreamOpened or LogRecordType.Claimed or LogRecordType.ClaimedIds or LogRecordType.StreamClosed => 16,
        _ => 0,
    };

    private static string Names(LogRecordType type, ReadOnlySpan<byte> body) => type switch
    {
        LogRecordType.Message or LogRecordType.MessageMoved => string.Create(CultureInfo.InvariantCulture,
            $", message {MessageIdAt(body)} to {new Ispb(BinaryPrimitives.ReadUInt64LittleEndian(body))} from {new Ispb(BinaryPrimitives.ReadUInt64LittleEndian(body[8..]))}"),
        LogRecordType.Notice => $", outbox entry {IdAt(body, 0)}",
        LogRecordType.NoticeSent => $", outbox entry {IdAt(body, 0)} sent",
        LogRecordType.QuarantineReleased => $", quarantined message {IdAt(body, 0)} delivered",
        LogRecordType.StreamOpened or LogRecordType.Claimed or LogRecordType.ClaimedIds or LogRecordType.StreamClosed => string.Create(CultureInfo.InvariantCulture,
            $", stream {BinaryPrimitives.ReadUInt64LittleEndian(body[8..])} of {new Ispb(BinaryPrimitives.ReadUInt64LittleEndian(body))}"),
        _ => "",
    };

    // A message record keeps its id as three little-endian words (MessageRecord.Write).
    private static string MessageIdAt(ReadOnlySpan<byte> body) => new ResourceId(
        BinaryPrimitives.ReadUInt64LittleEndian(body[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(body[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(body[32..])).ToString();

    private static string IdAt(ReadOnlySpan<byte> body, int offset) => ResourceId.FromBytes(body.Slice(offset, ResourceId.ByteLength)).ToString();
}
