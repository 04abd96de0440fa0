using System.Buffers.Binary;
using System.Buffers.Text;

namespace Pix.Protocol.Ids;

/// <summary>
/// The id a stored message keeps forever: 24 bytes, <c>PI\x01</c> then 13 bytes naming the store instance and the
/// 8-byte big-endian position the store gave the message. Its text is the 32-character base64 ICOM uses
/// (always starting <c>UEkB</c>).
/// </summary>
public readonly record struct ResourceId(ulong High, ulong Middle, ulong Low)
{
    public const int ByteLength = 24;
    public const int TextLength = 32;

    /// <summary>Builds the id of a message from its store's 13-byte instance id and its global sequence.</summary>
    public static ResourceId Create(ReadOnlySpan<byte> instance13, ulong sequence)
    {
        Span<byte> raw = stackalloc byte[ByteLength];
        raw[0] = (byte)'P';
        raw[1] = (byte)'I';
        raw[2] = 0x01;
        instance13[..13].CopyTo(raw[3..]);
        BinaryPrimitives.WriteUInt64BigEndian(raw[16..], sequence);
        return FromBytes(raw);
    }

    public static ResourceId FromBytes(ReadOnlySpan<byte> raw) => new(
        BinaryPrimitives.ReadUInt64BigEndian(raw),
        BinaryPrimitives.ReadUInt64BigEndian(raw[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(raw[16..]));

    public ulong Sequence => Low;

    public void WriteBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Middle);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Low);
    }

    /// <summary>Writes the 32 base64 characters.</summary>
    public void WriteText(Span<byte> destination)
    {
        Span<byte> raw = stackalloc byte[ByteLength];
        WriteBytes(raw);
        Base64.EncodeToUtf8(raw, destination, out _, out _);
    }

    public static bool TryParseText(ReadOnlySpan<byte> text, out ResourceId id)
    {
        id = default;
        if (text.Length != TextLength) return false;
        Span<byte> raw = stackalloc byte[ByteLength];
        if (Base64.DecodeFromUtf8(text, raw, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != ByteLength || raw[0] != 'P' || raw[1] != 'I' || raw[2] != 1) return false;
        id = FromBytes(raw);
        return true;
    }

    public override string ToString()
    {
        Span<byte> text = stackalloc byte[TextLength];
        WriteText(text);
        return System.Text.Encoding.ASCII.GetString(text);
    }
}
