using Pix.Storage.Regions;

namespace Pix.Server.Telemetry;

/// <summary>Regions on the <c>Pix</c> meter: whether the deployment runs in single-region mode (degraded: durable on
/// one region's replicas only), whether this node's own region is evacuated, and the map's epoch.</summary>
internal sealed class RegionGauges
{
    public RegionGauges(PixMetrics metrics, RegionOwnership regions)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pix.region.single_mode", () => regions.Current?.SingleRegion == true ? 1 : 0,
            description: "1 while a region is evacuated: the others serve alone, each write held by their own replicas only (degraded) until dr failback");
        meter.CreateObservableGauge("pix.region.evacuated", () => regions.Current?.IsEvacuated(regions.Region) == true ? 1 : 0,
            description: "1 while this node's own region is evacuated: it serves no ISPB (421) and /readyz says so");
        meter.CreateObservableGauge("pix.region.epoch", () => regions.Current?.Epoch ?? 0,
            description: "Epoch of the ownership map this node holds (nodes that disagree for long missed a change)");
    }
}
