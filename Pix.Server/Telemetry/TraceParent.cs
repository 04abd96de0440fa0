using System.Diagnostics;
using System.Text;

namespace Pix.Server.Telemetry;

/// <summary>
/// Reads a W3C <c>traceparent</c> header (<c>00-{32 hex trace id}-{16 hex parent id}-{2 hex flags}</c>) from the raw
/// header bytes into an <see cref="ActivityContext"/>, without allocating (the optional <c>tracestate</c> becomes a
/// string, but only for a request that is sampled, the only time this runs).
/// </summary>
internal static class TraceParent
{
    private const int Length = 55;

    public static bool TryParse(ReadOnlySpan<byte> value, ReadOnlySpan<byte> traceState, out ActivityContext context)
    {
        context = default;
        // A later version may append fields after a '-'; version 00 is exactly 55 bytes (W3C Trace Context 3.2).
        if (value.Length < Length || (value.Length > Length && value[Length] != (byte)'-')) return false;
        if (value[2] != (byte)'-' || value[35] != (byte)'-' || value[52] != (byte)'-') return false;
        var version = value[..2];
        var traceId = value[3..35];
        var parentId = value[36..52];
        var flags = value[53..55];
        if (!IsLowerHex(version) || version.SequenceEqual("ff"u8)) return false;
        if (version.SequenceEqual("00"u8) && value.Length != Length) return false;
        if (!IsLowerHex(traceId) || !IsLowerHex(parentId) || !IsLowerHex(flags)) return false;
        if (IsAllZeros(traceId) || IsAllZeros(parentId)) return false;
        var sampled = (HexValue(flags[1]) & 1) != 0;
        context = new ActivityContext(
            ActivityTraceId.CreateFromUtf8String(traceId),
            ActivitySpanId.CreateFromUtf8String(parentId),
            sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
            traceState.IsEmpty ? null : Encoding.ASCII.GetString(traceState),
            isRemote: true);
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f'))) return false;
        }
        return true;
    }

    private static bool IsAllZeros(ReadOnlySpan<byte> text) => !text.ContainsAnyExcept((byte)'0');

    private static int HexValue(byte c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
