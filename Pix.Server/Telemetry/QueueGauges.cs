using System.Diagnostics.Metrics;
using Pix.Protocol.Ids;
using Pix.Storage;

namespace Pix.Server;

/// <summary>
/// Per-participant queue gauges on the <c>Pix</c> meter, read from the store at each scrape: backlog, the age of the
/// oldest unacknowledged message (the lag the playbooks alert on above 45 s) and open streams. One scrape reads each
/// queue's stats once for all three gauges (finding the oldest unacknowledged message walks the queue); requests
/// never pay for them.
/// </summary>
internal sealed class QueueGauges
{
    private static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(1);
    private readonly IQueueStore _store;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private List<(Ispb Ispb, QueueStats Stats)> _snapshot = [];
    private long? _takenAt;

    public QueueGauges(PixMetrics metrics, IQueueStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pix.queue.unacknowledged", () => Measure(static s => s.Unacknowledged),
            description: "Messages stored for the ISPB and not yet acknowledged");
        meter.CreateObservableGauge("pix.queue.oldest_unacknowledged_age", () => Measure(static s => s.OldestUnacknowledgedAgeMs / 1000.0),
            unit: "s", description: "Age of the ISPB's oldest unacknowledged message (delivery lag)");
        meter.CreateObservableGauge("pix.streams.open", () => Measure(static s => (long)s.OpenStreams),
            description: "Open streams of the ISPB (at most Pix:Streams:MaxPerIspb)");
    }

    private IEnumerable<Measurement<T>> Measure<T>(Func<QueueStats, T> read) where T : struct
    {
        foreach (var (ispb, stats) in Snapshot())
        {
            yield return new Measurement<T>(read(stats), new KeyValuePair<string, object?>("ispb", ispb.ToString()));
        }
    }

    private List<(Ispb, QueueStats)> Snapshot()
    {
        lock (_lock)
        {
            if (_takenAt is { } takenAt && _clock.GetElapsedTime(takenAt) < SnapshotAge) return _snapshot;
            var snapshot = new List<(Ispb, QueueStats)>();
            // A scrape thread, not a request: waiting for the store here is fine (in-process stores answer at once).
            foreach (var ispb in _store.ParticipantsAsync().AsTask().GetAwaiter().GetResult())
            {
                snapshot.Add((ispb, _store.StatsAsync(ispb).AsTask().GetAwaiter().GetResult()));
            }
            _snapshot = snapshot;
            _takenAt = _clock.GetTimestamp();
            return snapshot;
        }
    }
}
