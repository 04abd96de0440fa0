using OpenTelemetry;
using OpenTelemetry.Metrics;
using Pix.Bench.Suites;
using Pix.Server;

namespace Pix.Tests.Allocation;

/// <summary>
/// The benchmarks run without a metrics listener; the host always has OpenTelemetry listening to the <c>Pix</c>
/// meter. With the SDK aggregating (requests by route, method and status, and the latency histogram) the request
/// path must still allocate nothing.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class MetricsAllocationTests
{
    [Fact]
    public void ReadsAllocateNothingWithOpenTelemetryListening()
    {
        var exporter = new CountingMetricExporter();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(PixMetrics.MeterName)
            .AddReader(new BaseExportingMetricReader(exporter))
            .Build();
        var empty = new RequestPathBenchmarks();
        var full = new RequestPathBenchmarks();
        empty.SetupRead204();
        full.SetupRead10();
        try
        {
            AllocationMeter.AssertNone(empty.StreamRead204);
            AllocationMeter.AssertNone(full.StreamRead10);
            provider.ForceFlush();
            Assert.True(exporter.Requests > 2000, $"The SDK saw {exporter.Requests} requests.");
        }
        finally
        {
            empty.Cleanup();
            full.Cleanup();
        }
    }
}
