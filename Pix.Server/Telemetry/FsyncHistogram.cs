using System.Diagnostics.Metrics;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Server.Telemetry;

/// <summary>
/// <c>pix.storage.fsync.duration</c>: how long each group commit of the embedded store took to write and fsync.
/// <c>pix.storage.append.duration</c> is what a 201 waited for, queueing behind the group in progress included; this
/// is the disk's part of it, so an operator can tell a slow disk (both high) from a writer that falls behind (only
/// the append high). Other stores have no fsync of their own and no such series.
/// </summary>
internal sealed class FsyncHistogram
{
    public FsyncHistogram(PixMetrics metrics, IQueueStore store)
    {
        var inner = store is TracingQueueStore traced ? traced.Inner : store;
        if (inner is not EmbeddedQueueStore embedded) return;
        var histogram = metrics.Meter.CreateHistogram<double>("pix.storage.fsync.duration", unit: "s",
            description: "One group commit of the embedded store: its write and fsync (every request of the group waits for it)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PixMetrics.LatencyBuckets });
        embedded.GroupWritten = elapsed => histogram.Record(elapsed.TotalSeconds);
    }
}
