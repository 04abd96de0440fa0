using Pix.Server.Hosting;
using Pix.Storage.Regions;

namespace Pix.Server.Regions;

/// <summary>Reads <c>Pix:Region</c>, <c>Pix:Regions</c> and <c>Pix:RegionUrls</c> into the node's view of region
/// ownership; none without <c>Pix:Region</c>.</summary>
internal static class RegionSetup
{
    public static RegionOwnership? Ownership(PixOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Region)) return null;
        if (string.IsNullOrWhiteSpace(options.Regions))
            throw new ArgumentException("Pix:Region needs Pix:Regions, every region of the deployment (e.g. --Pix:Regions sp,us).");
        var ring = RegionRing.Parse(options.Regions);
        foreach (var region in options.RegionUrls.Keys)
        {
            if (!ring.Contains(region)) throw new ArgumentException($"Pix:RegionUrls:{region} names a region that is not in Pix:Regions ({ring}).");
        }
        return new RegionOwnership(options.Region.Trim(), ring, options.RegionUrls);
    }
}
