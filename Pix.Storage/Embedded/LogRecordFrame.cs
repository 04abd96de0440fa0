using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pix.Storage.Embedded;

/// <summary>
/// The frame around every log record: <c>crc32 (4) | body length (4) | type (1) | body</c>, little-endian. The CRC
/// covers length, type and body, so a torn write, a garbled length or zeros the file system left after a power loss
/// are all caught by one check.
/// </summary>
internal static class LogRecordFrame
{
    public const int HeaderLength = 9;

    /// <summary>No record is larger: a length above it is corruption, not a reason to read gigabytes.</summary>
    public const int MaxBodyLength = 256 * 1024 * 1024;

    public static void WriteHeader(Span<byte> record, LogRecordType type, int bodyLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], bodyLength);
        record[8] = (byte)type;
        var crc = Crc32.HashToUInt32(record.Slice(4, 5 + bodyLength));
        BinaryPrimitives.WriteUInt32LittleEndian(record, crc);
    }

    /// <summary>Reads the length and type of the record a header starts; false when the length is impossible.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int bodyLength, out LogRecordType type)
    {
        bodyLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        type = (LogRecordType)header[8];
        return bodyLength is >= 0 and <= MaxBodyLength;
    }

    public static bool IsIntact(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadUInt32LittleEndian(record) == Crc32.HashToUInt32(record[4..]);

    [ThreadStatic] private static Crc32? _crc;

    /// <summary>The same check for a record read in two pieces (frame and fixed fields, then the payload).</summary>
    public static bool IsIntact(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest)
    {
        var crc = _crc ??= new Crc32();
        crc.Reset();
        crc.Append(head[4..]);
        crc.Append(rest);
        return BinaryPrimitives.ReadUInt32LittleEndian(head) == crc.GetCurrentHashAsUInt32();
    }
}
