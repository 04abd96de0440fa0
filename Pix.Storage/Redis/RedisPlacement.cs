using System.Collections.Concurrent;
using Pix.Protocol.Ids;
using Pix.Storage.Regions;

namespace Pix.Storage.Redis;

/// <summary>
/// Where a participant's keys live. Without regions every key starts <c>pix:{ISPB}:</c>. With regions the hash tag
/// carries the ISPB's home region and a suffix chosen so the slot falls in that region's range
/// (<c>pix:{sp:12345678:3}:</c>), so the ISPB's queue, streams and sender state sit on a shard whose primary is in its
/// home region; a failover moves ownership, never data. Prefixes are computed once per ISPB and kept.
/// </summary>
public sealed class RedisPlacement(RegionRing? ring)
{
    private readonly ConcurrentDictionary<Ispb, string> _prefixes = new();

    public RegionRing? Ring => ring;

    /// <summary>The prefix of every key of <paramref name="ispb"/>, hash tag included.</summary>
    public string Prefix(Ispb ispb)
    {
        if (_prefixes.TryGetValue(ispb, out var prefix)) return prefix;
        var name = ispb.ToString();
        prefix = ring is null ? "pix:{" + name + "}:" : "pix:{" + ring.Tag(ring.Home(ispb), name) + "}:";
        _prefixes.TryAdd(ispb, prefix);
        return prefix;
    }
}
