using System.Diagnostics.Metrics;
using Pix.Server.Http;

namespace Pix.Server;

/// <summary>
/// What the ICOM listener holds, on the <c>Pix</c> meter, read at each scrape from counters the connection layer
/// keeps anyway (requests never pay for these): connections open, refused and timed out; pooled buffer bytes;
/// requests in flight and long polls parked (admission control). The signals of the LB-saturation playbook.
/// </summary>
internal sealed class EdgeGauges
{
    public EdgeGauges(PixMetrics metrics, ConnectionGate connections, RetainedBuffers buffers, InFlightRequests inFlight)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pix.connections.open", () => connections.Open,
            description: "ICOM connections open (accepted and not yet closed, TLS handshakes included)");
        meter.CreateObservableCounter("pix.connections.refused", () => new[]
            {
                new Measurement<long>(connections.RefusedOverLimit, new KeyValuePair<string, object?>("cause", "limit")),
                new Measurement<long>(connections.RefusedPerClient, new KeyValuePair<string, object?>("cause", "per_client")),
            },
            description: "ICOM connections closed at once: Pix:Limits:MaxConnections reached (limit), or the client holds MaxConnectionsPerClient (per_client)");
        meter.CreateObservableCounter("pix.connections.timed_out", () => new[]
            {
                new Measurement<long>(connections.RequestTimeouts, new KeyValuePair<string, object?>("phase", "request")),
                new Measurement<long>(connections.WriteTimeouts, new KeyValuePair<string, object?>("phase", "write")),
            },
            description: "ICOM connections dropped by the server: a request that did not arrive in time (request), a client that did not read its responses (write)");
        meter.CreateObservableGauge("pix.http.buffer", () => buffers.Bytes, unit: "By",
            description: "Bytes the ICOM connections hold in pooled buffers (bodies being received); near 0 when clients are idle");
        meter.CreateObservableGauge("pix.inflight.requests", () => inFlight.Current,
            description: "ICOM requests being worked on (parked long polls excluded); at Pix:Limits:MaxInFlight new ones get 503");
        meter.CreateObservableGauge("pix.longpolls.parked", () => inFlight.ParkedCount,
            description: "Stream reads parked on an empty queue, waiting for a message or their deadline");
    }
}
