namespace Pix.Storage.Embedded;

/// <summary>A place in the log as one long: the segment number in the high bits, the byte offset in the low 40
/// (1 TiB per segment), so positions order like the log and fit <see cref="StoredMessage.Position"/>.</summary>
internal static class LogPosition
{
    private const int OffsetBits = 40;
    private const long OffsetMask = (1L << OffsetBits) - 1;

    public static long Pack(int segment, long offset) => ((long)segment << OffsetBits) | offset;

    public static int SegmentOf(long position) => (int)(position >> OffsetBits);

    public static long OffsetOf(long position) => position & OffsetMask;
}
