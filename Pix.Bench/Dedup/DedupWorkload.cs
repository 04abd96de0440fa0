using System.Runtime.CompilerServices;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Bench.Dedup;

/// <summary>
/// The benchmark's keys: key <c>i</c> is a valid decoded (Fr, BizMsgIdr) made from a SplitMix64 of <c>i</c>, from
/// one of 200 senders; keys at or above <see cref="Keys"/> are never added, so they are the absent ones. Time runs
/// evenly over the window: key <c>i</c> is added at <c>T0 + i * window / keys</c>.
/// </summary>
internal sealed class DedupWorkload(long keys, TimeSpan window)
{
    public static readonly long T0 = DateTimeOffset.Parse("2026-01-05T00:00:00Z").ToUnixTimeMilliseconds();
    private const ulong Base36Pow8 = 2_821_109_907_456UL;
    private const ulong Base62Pow10 = 839_299_365_868_340_224UL;
    private const ulong Base62Pow3 = 238_328UL;

    private static readonly ulong[] Senders = Enumerable.Range(0, 200).Select(i => Ispb.Parse($"{10_000_000 + i * 4_999:D8}").Packed).ToArray();

    public long Keys { get; } = keys;

    public long WindowMs { get; } = (long)window.TotalMilliseconds;

    public long AtMs(long i) => T0 + (long)((double)i * WindowMs / Keys);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DedupKey Key(long i)
    {
        var s = (ulong)i * 4 + 0x1234_5678_9ABCUL;
        var a = Mix(s);
        var b = Mix(s + 1);
        var c = Mix(s + 2);
        return new DedupKey(Senders[a % (ulong)Senders.Length], 1UL << 62 | (b % Base36Pow8) << 18 | (c % Base62Pow3),
            a % Base62Pow10, Mix(s + 3) % Base62Pow10);
    }

    /// <summary>The sequence stored for key <c>i</c> (its ResourceId's last 8 bytes).</summary>
    public static ulong Sequence(long i) => (ulong)i + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
