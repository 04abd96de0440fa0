using System.IO.Hashing;
using System.Text;
using Pix.Protocol.Ids;

namespace Pix.Storage.Regions;

/// <summary>
/// The regions of a deployment (<c>Pix:Regions</c>, e.g. <c>sp,us</c>): each ISPB's home region by rendezvous
/// (highest-random-weight) hashing of the ISPB over the region names, so adding a region moves only the ISPBs it
/// wins; and each region's share of the 16,384 Redis Cluster slots, an even split in the order the regions are listed
/// (region i of n: slots [i·16384/n, (i+1)·16384/n)), where the cluster must have that region's primaries.
/// </summary>
public sealed class RegionRing
{
    private readonly string[] _names;

    public RegionRing(IReadOnlyList<string> names)
    {
        if (names.Count < 2) throw new ArgumentException("Pix:Regions names at least two regions (e.g. sp,us).");
        foreach (var name in names)
        {
            if (name.Length is 0 or > 16 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                throw new ArgumentException($"A region name is 1-16 characters of [a-z0-9-]: '{name}' is not.");
        }
        if (names.Distinct().Count() != names.Count) throw new ArgumentException("Pix:Regions lists a region twice.");
        _names = [.. names];
    }

    /// <summary>Parses <c>Pix:Regions</c>: comma-separated names.</summary>
    public static RegionRing Parse(string text) =>
        new(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public IReadOnlyList<string> Names => _names;

    public bool Contains(string region) => Array.IndexOf(_names, region) >= 0;

    /// <summary>Where the ISPB's data lives and who owns it unless the map says otherwise.</summary>
    public string Home(Ispb ispb)
    {
        var best = _names[0];
        var bestScore = 0UL;
        Span<byte> input = stackalloc byte[Ispb.Length + 1 + 16];
        ispb.WriteTo(input);
        input[Ispb.Length] = (byte)'/';
        foreach (var name in _names)
        {
            var length = Ispb.Length + 1 + Encoding.ASCII.GetBytes(name, input[(Ispb.Length + 1)..]);
            var score = XxHash64.HashToUInt64(input[..length]);
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>The region's slots: [First, Last].</summary>
    public (int First, int Last) Slots(string region)
    {
        var index = Array.IndexOf(_names, region);
        if (index < 0) throw new ArgumentException($"Unknown region '{region}' (Pix:Regions is {string.Join(",", _names)}).");
        return (index * HashSlot.Count / _names.Length, (index + 1) * HashSlot.Count / _names.Length - 1);
    }

    /// <summary>The region whose range holds <paramref name="slot"/>.</summary>
    public string RegionOfSlot(int slot) => _names[Math.Min(_names.Length - 1, slot * _names.Length / HashSlot.Count)];

    /// <summary>A hash tag for <paramref name="name"/> whose slot is in <paramref name="region"/>'s range:
    /// <c>{region:name:n}</c> with the smallest n that lands there (about n tries for n regions).</summary>
    public string Tag(string region, string name)
    {
        var (first, last) = Slots(region);
        for (var n = 0; ; n++)
        {
            var tag = $"{region}:{name}:{n}";
            var slot = HashSlot.Of("{" + tag + "}");
            if (slot >= first && slot <= last) return tag;
        }
    }

    public override string ToString() => string.Join(",", _names);
}
