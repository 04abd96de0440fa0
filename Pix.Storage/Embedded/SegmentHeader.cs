using System.Buffers.Binary;
using System.Globalization;

namespace Pix.Storage.Embedded;

/// <summary>
/// The first bytes of every segment file: <c>"PIXLOG" | format version (2, little-endian)</c>, 8 bytes, so a data
/// directory from another build (whose segments start with a record, or with another version) is refused instead of
/// misread. Records follow back to back from <see cref="Length"/>; a log position's offset counts from the file's
/// start, header included.
/// </summary>
internal static class SegmentHeader
{
    public const int Length = 8;
    public const ushort Version = 1;
    private static ReadOnlySpan<byte> Magic => "PIXLOG"u8;

    public static string Expected => string.Create(CultureInfo.InvariantCulture, $"PIXLOG version {Version}");

    public static byte[] Bytes()
    {
        var header = new byte[Length];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length), Version);
        return header;
    }

    public static bool IsCurrent(ReadOnlySpan<byte> header) =>
        header.Length >= Length && header[..Length].SequenceEqual(Bytes());

    /// <summary>What a crash can leave of a header written but not yet fsync'd: nothing, zeros, or a part of it.
    /// Never a whole header of another format, and never a header with records after it (they follow its fsync).</summary>
    public static bool IsTorn(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Length) return false;
        var expected = Bytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0 && bytes[i] != expected[i]) return false;
        }
        return !IsCurrent(bytes);
    }

    /// <summary>The found format, for <see cref="StoreFormatException"/>.</summary>
    public static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= Length && bytes.StartsWith(Magic))
        {
            return string.Create(CultureInfo.InvariantCulture, $"PIXLOG version {BinaryPrimitives.ReadUInt16LittleEndian(bytes[Magic.Length..])}");
        }
        if (bytes.IsEmpty) return "an empty file (no PIXLOG header)";
        var shown = Convert.ToHexString(bytes[..Math.Min(bytes.Length, Length)]);
        return string.Create(CultureInfo.InvariantCulture,
            $"no PIXLOG header (the file starts 0x{shown}: a segment of a Pix build before format versions, or not a Pix segment)");
    }
}
