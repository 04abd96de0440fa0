using System.Diagnostics.Metrics;
using Pix.Protocol.Routing;
using Pix.Server.Http;

namespace Pix.Server;

/// <summary>
/// The server's instruments (meter <c>Pix</c>, exported by OpenTelemetry on the operator listener's <c>/metrics</c>):
/// requests by route, method and status, their latency, 429s by cause, quarantined messages, durable append latency.
/// Gauges read at scrape time live in <see cref="QueueGauges"/> and <see cref="Telemetry.OperationalGauges"/>.
/// </summary>
internal sealed class PixMetrics : IDisposable
{
    public const string MeterName = "Pix";
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _quarantined;
    private readonly Histogram<double> _append;
    private readonly TimeProvider _clock;

    public PixMetrics(IMeterFactory meters, TimeProvider clock)
    {
        _clock = clock;
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("pix.requests", description: "ICOM requests answered, by route, method and status");
        _duration = _meter.CreateHistogram<double>("pix.request.duration", unit: "s",
            description: "Time from parsed request to written response (long polls included)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _throttled = _meter.CreateCounter<long>("pix.throttled", description: "429 answers by cause");
        _quarantined = _meter.CreateCounter<long>("pix.quarantined", description: "Messages stored in quarantine, by cause");
        _append = _meter.CreateHistogram<double>("pix.storage.append.duration", unit: "s",
            description: "Durable append of one ingest request, queueing for and waiting on the store's fsync (embedded) included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    // From 100 µs to the 5 s long poll and beyond: the default buckets start at 5 s, useless for a p99 in ms.
    internal static readonly double[] LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30];

    public Meter Meter => _meter;

    public long Start() => _clock.GetTimestamp();

    public void Finish(long started, IcomRouteKind route, HttpMethodKind method, int status)
    {
        var route_ = new KeyValuePair<string, object?>("route", RouteName(route));
        var method_ = new KeyValuePair<string, object?>("method", MethodName(method));
        var status_ = new KeyValuePair<string, object?>("status", StatusName(status));
        _requests.Add(1, route_, method_, status_);
        _duration.Record(_clock.GetElapsedTime(started).TotalSeconds, route_, status_);
    }

    /// <summary>One ingest request's append became durable (its 201 can go out).</summary>
    public void Appended(long started) => _append.Record(_clock.GetElapsedTime(started).TotalSeconds);

    /// <summary>A 429, by cause: <c>bucket</c> (sender's token bucket), <c>backlog</c> (receiver lags), <c>slots</c> (seventh stream).</summary>
    public void Throttled(string cause) => _throttled.Add(1, new KeyValuePair<string, object?>("cause", cause));

    public void Quarantined(string cause) => _quarantined.Add(1, new KeyValuePair<string, object?>("cause", cause));

    // Tag values are interned strings, so recording never formats or boxes per request.
    private static string RouteName(IcomRouteKind route) => route switch
    {
        IcomRouteKind.Ingest => "in",
        IcomRouteKind.StreamStart => "stream/start",
        IcomRouteKind.StreamToken => "stream/{token}",
        _ => "unknown",
    };

    private static string MethodName(HttpMethodKind method) => method switch
    {
        HttpMethodKind.Get => "GET",
        HttpMethodKind.Post => "POST",
        HttpMethodKind.Delete => "DELETE",
        _ => "other",
    };

    private static readonly string[] Statuses = Enumerable.Range(0, 600).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusName(int status) => (uint)status < Statuses.Length ? Statuses[status] : "other";

    public void Dispose() => _meter.Dispose();
}
