using Pix.Storage.Regions;

namespace Pix.Server.Health;

/// <summary>Regions on <c>/readyz</c>: not ready until the ownership map is loaded, nor while the node's own region is
/// evacuated (its ISPBs are served elsewhere, so a load balancer should stop sending it clients).</summary>
internal sealed class RegionHealth(RegionOwnership regions) : IHealthSource
{
    public string Name => "region";

    public HealthStatus Current => regions.Current switch
    {
        null => HealthStatus.Failing("The region ownership map is not loaded yet."),
        { } map when map.Evacuated.TryGetValue(regions.Region, out var serving) =>
            HealthStatus.Failing($"Region {regions.Region} is evacuated at epoch {map.Epoch}: region {serving} serves its ISPBs until dr failback."),
        _ => HealthStatus.Ok,
    };
}
