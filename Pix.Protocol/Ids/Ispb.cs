using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pix.Protocol.Ids;

/// <summary>A participant's 8-character identifier (<c>[0-9A-Z]{8}</c>), packed into one ulong so it is a
/// cheap dictionary key and never needs a string on the request path.</summary>
public readonly record struct Ispb(ulong Packed)
{
    public const int Length = 8;

    /// <summary>The SPI itself.</summary>
    public static readonly Ispb Spi = Parse("00038166"u8);

    public static bool TryParse(ReadOnlySpan<byte> text, out Ispb ispb)
    {
        ispb = default;
        if (text.Length != Length) return false;
        foreach (var b in text)
        {
            if (!IsIspbByte(b)) return false;
        }
        ispb = new Ispb(BinaryPrimitives.ReadUInt64BigEndian(text));
        return true;
    }

    public static Ispb Parse(ReadOnlySpan<byte> text) =>
        TryParse(text, out var ispb) ? ispb : throw new FormatException("An ISPB is 8 characters of [0-9A-Z].");

    public static Ispb Parse(string text) => Parse(System.Text.Encoding.ASCII.GetBytes(text));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsIspbByte(byte b) => (uint)(b - '0') <= 9 || (uint)(b - 'A') <= 25;

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Packed);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }
}
