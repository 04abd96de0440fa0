using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// The dedup key: the sender (<c>Fr</c>) and its <c>BizMsgIdr</c>, 32 bytes as four words. A BizMsgIdr of the
/// schema's form <c>M[0-9A-Z]{8}[a-zA-Z0-9]{23}</c> is decoded to bits, so the key is exact: no two ids share one.
/// Anything else (never a delivered message today) goes to a separate key space: the raw text's XxHash128.
/// </summary>
/// <remarks>
/// <c>A</c> is the sender's packed ISPB; <c>B</c> holds the kind in its top two bits, then the id's 8 base-36
/// characters (42 bits) and its last 3 base-62 characters (18 bits); <c>C</c> and <c>D</c> hold 10 base-62
/// characters each (60 bits). A hashed key has kind 2 and the hash in <c>C</c>, <c>D</c>. Kind 0 never occurs, so
/// <c>B == 0</c> marks an empty slot.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DedupKey(ulong A, ulong B, ulong C, ulong D)
{
    public const int ByteLength = 32;
    public const int BizMsgIdrLength = 32;

    private const ulong DecodedKind = 1UL << 62;
    private const ulong HashedKind = 2UL << 62;
    private const int TailChars = 3;
    private const int WordChars = 10;

    public bool IsDecoded => B >> 62 == 1;

    public Ispb From => new(A);

    /// <summary>The key of a message from <paramref name="from"/> with this BizMsgIdr text.</summary>
    public static DedupKey Of(Ispb from, ReadOnlySpan<byte> bizMsgIdr)
    {
        if (bizMsgIdr.Length == BizMsgIdrLength && bizMsgIdr[0] == 'M'
            && TryBase36(bizMsgIdr.Slice(1, Ispb.Length), out var ispb)
            && TryBase62(bizMsgIdr.Slice(9, WordChars), out var c)
            && TryBase62(bizMsgIdr.Slice(19, WordChars), out var d)
            && TryBase62(bizMsgIdr.Slice(29, TailChars), out var tail))
        {
            return new DedupKey(from.Packed, DecodedKind | ispb << 18 | tail, c, d);
        }
        var hash = XxHash128.HashToUInt128(bizMsgIdr);
        return new DedupKey(from.Packed, HashedKind, (ulong)(hash >> 64), (ulong)hash);
    }

    /// <summary>Writes the BizMsgIdr text back (decoded keys only).</summary>
    public bool TryWriteBizMsgIdr(Span<byte> destination)
    {
        if (!IsDecoded || destination.Length < BizMsgIdrLength) return false;
        destination[0] = (byte)'M';
        WriteBase36((B >> 18) & ((1UL << 42) - 1), destination.Slice(1, Ispb.Length));
        WriteBase62(C, destination.Slice(9, WordChars));
        WriteBase62(D, destination.Slice(19, WordChars));
        WriteBase62(B & ((1UL << 18) - 1), destination.Slice(29, TailChars));
        return true;
    }

    /// <summary>A 64-bit hash that orders runs and places the key in filters and tables.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<DedupKey>(in this)));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, A);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], D);
    }

    public static DedupKey ReadFrom(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));

    private static bool TryBase36(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        foreach (var b in text)
        {
            int digit;
            if ((uint)(b - '0') <= 9) digit = b - '0';
            else if ((uint)(b - 'A') <= 25) digit = b - 'A' + 10;
            else return false;
            value = value * 36 + (ulong)digit;
        }
        return true;
    }

    private static bool TryBase62(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        foreach (var b in text)
        {
            int digit;
            if ((uint)(b - '0') <= 9) digit = b - '0';
            else if ((uint)(b - 'A') <= 25) digit = b - 'A' + 10;
            else if ((uint)(b - 'a') <= 25) digit = b - 'a' + 36;
            else return false;
            value = value * 62 + (ulong)digit;
        }
        return true;
    }

    private static void WriteBase36(ulong value, Span<byte> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            var digit = (int)(value % 36);
            value /= 36;
            destination[i] = (byte)(digit < 10 ? '0' + digit : 'A' + digit - 10);
        }
    }

    private static void WriteBase62(ulong value, Span<byte> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            var digit = (int)(value % 62);
            value /= 62;
            destination[i] = (byte)(digit < 10 ? '0' + digit : digit < 36 ? 'A' + digit - 10 : 'a' + digit - 36);
        }
    }
}
