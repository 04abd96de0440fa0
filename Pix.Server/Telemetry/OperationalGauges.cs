using System.Diagnostics.Metrics;
using Pix.Server.Health;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Storage.Redis;
using Pix.Storage.Senders;

namespace Pix.Server.Telemetry;

/// <summary>
/// The node's state on the <c>Pix</c> meter, read at scrape time: storage health, drain, isolated senders, and the
/// embedded store's group-commit counters (fsyncs, the requests they carried: group size = entries / fsyncs) with the
/// time of each group's write and fsync, and the Redis store's probed round trip and reachability.
/// </summary>
internal sealed class OperationalGauges
{
    public OperationalGauges(PixMetrics metrics, StorageHealth storage, DrainState drain, ISenderGate senders, IQueueStore store)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pix.storage.healthy", () => storage.Current.Healthy ? 1 : 0,
            description: "1 when storage takes writes (probe and last write), 0 when not: /readyz answers 503");
        meter.CreateObservableGauge("pix.draining", () => drain.IsDraining ? 1 : 0,
            description: "1 from SIGTERM until the process exits");
        // A scrape thread, not a request: waiting for the gate (Redis when shared) is fine here.
        meter.CreateObservableGauge("pix.senders.isolated", () => senders.IsolatedAsync().AsTask().GetAwaiter().GetResult().Count,
            description: "Senders whose messages are all quarantined (schema storm) until an operator releases them");
        var inner = store is TracingQueueStore traced ? traced.Inner : store;
        if (inner is RedisQueueStore redis)
        {
            meter.CreateObservableGauge("pix.storage.redis.round_trip", () => redis.Probe.RoundTrip.TotalSeconds, unit: "s",
                description: "The slowest Redis primary's PING at the last probe (every 2 s, off the request path)");
            meter.CreateObservableGauge("pix.storage.redis.reachable", () => redis.Probe.Reachable ? 1 : 0,
                description: "1 when every Redis primary that owns slots answered the last probe");
        }
        if (inner is not EmbeddedQueueStore embedded) return;
        meter.CreateObservableCounter("pix.storage.fsyncs", () => embedded.Counters.Fsyncs,
            description: "Group commits of the embedded store (one fsync each)");
        meter.CreateObservableCounter("pix.storage.committed_entries", () => embedded.Counters.Entries,
            description: "Log entries (an ingest request, a stream change) made durable by those fsyncs");
        meter.CreateObservableCounter("pix.storage.committed_messages", () => embedded.Counters.Messages,
            description: "Messages made durable by those fsyncs");
        meter.CreateObservableCounter("pix.storage.written", () => embedded.Counters.Bytes, unit: "By",
            description: "Bytes appended to the embedded store's log");
        // The one instrument here recorded as it happens rather than read at scrape time: pix.storage.append.duration
        // is what a 201 waited for, queueing behind the group in progress included, and this is the disk's part of it,
        // so an operator can tell a slow disk (both high) from a writer that falls behind (only the append high).
        var fsync = meter.CreateHistogram<double>("pix.storage.fsync.duration", unit: "s",
            description: "One group commit of the embedded store: its write and fsync (every request of the group waits for it)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PixMetrics.LatencyBuckets });
        embedded.GroupWritten = elapsed => fsync.Record(elapsed.TotalSeconds);
    }
}
