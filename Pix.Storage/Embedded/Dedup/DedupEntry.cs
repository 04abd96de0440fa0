using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>One remembered key: 48 bytes in a table slot and on disk (key, the message's sequence, when it was
/// added). The ResourceId's other 16 bytes are the store's instance, the same for every entry.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DedupEntry
{
    public const int ByteLength = 48;

    public ulong A;
    public ulong B;
    public ulong C;
    public ulong D;
    public ulong Sequence;
    public long AtMs;

    public DedupEntry(in DedupKey key, ulong sequence, long atMs)
    {
        A = key.A;
        B = key.B;
        C = key.C;
        D = key.D;
        Sequence = sequence;
        AtMs = atMs;
    }

    public readonly DedupKey Key => new(A, B, C, D);

    public readonly bool Is(in DedupKey key) => B == key.B && A == key.A && C == key.C && D == key.D;

    public readonly void WriteTo(Span<byte> destination)
    {
        Key.WriteTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[40..], AtMs);
    }

    public static DedupEntry ReadFrom(ReadOnlySpan<byte> source) => new(
        DedupKey.ReadFrom(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[32..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[40..]));

    /// <summary>Run order: by hash, then by key words, so equal keys sit side by side.</summary>
    public static int Compare(ulong hashX, in DedupKey x, ulong hashY, in DedupKey y)
    {
        var c = hashX.CompareTo(hashY);
        if (c != 0) return c;
        c = x.A.CompareTo(y.A);
        if (c != 0) return c;
        c = x.B.CompareTo(y.B);
        if (c != 0) return c;
        c = x.C.CompareTo(y.C);
        return c != 0 ? c : x.D.CompareTo(y.D);
    }
}
