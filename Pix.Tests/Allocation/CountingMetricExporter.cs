using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Pix.Tests.Allocation;

/// <summary>Exports nowhere; remembers how many requests the <c>pix.requests</c> counter summed, so a test can tell
/// that the SDK really aggregated what it measured.</summary>
internal sealed class CountingMetricExporter : BaseExporter<Metric>
{
    public long Requests { get; private set; }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            if (metric.Name != "pix.requests") continue;
            foreach (ref readonly var point in metric.GetMetricPoints()) Requests += point.GetSumLong();
        }
        return ExportResult.Success;
    }
}
