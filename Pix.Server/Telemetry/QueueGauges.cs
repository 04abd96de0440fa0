using System.Diagnostics.Metrics;
using Pix.Storage;

namespace Pix.Server;

/// <summary>
/// Per-participant queue gauges on the <c>Pix</c> meter, read from the store at each scrape: backlog, the age of the
/// oldest unacknowledged message (the lag the playbooks alert on above 45 s) and open streams. Scrapes are seconds
/// apart, so they may walk every queue; requests never pay for them.
/// </summary>
internal sealed class QueueGauges
{
    public QueueGauges(PixMetrics metrics, IQueueStore store)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pix.queue.unacknowledged", () => Measure(store, static s => s.Unacknowledged),
            description: "Messages stored for the ISPB and not yet acknowledged");
        meter.CreateObservableGauge("pix.queue.oldest_unacknowledged_age", () => Measure(store, static s => s.OldestUnacknowledgedAgeMs / 1000.0),
            unit: "s", description: "Age of the ISPB's oldest unacknowledged message (delivery lag)");
        meter.CreateObservableGauge("pix.streams.open", () => Measure(store, static s => (long)s.OpenStreams),
            description: "Open streams of the ISPB (at most Pix:Streams:MaxPerIspb)");
    }

    private static IEnumerable<Measurement<T>> Measure<T>(IQueueStore store, Func<QueueStats, T> read) where T : struct
    {
        foreach (var ispb in store.Participants())
        {
            yield return new Measurement<T>(read(store.Stats(ispb)), new KeyValuePair<string, object?>("ispb", ispb.ToString()));
        }
    }
}
