using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pix.Protocol.Ids;
using Pix.Server.Health;
using Pix.Server.Quarantine;
using Pix.Storage;
using Pix.Storage.Quarantine;
using Pix.Storage.Senders;

namespace Pix.Server.Hosting;

/// <summary>
/// The operator listener's routes. Only operator connections reach ASP.NET's pipeline: the ICOM listener's
/// connection middleware never calls on, so these routes are not reachable from the ICOM port.
/// </summary>
internal static class OperatorEndpoints
{
    // Ids are base64: '/' and '+' come percent-encoded in the path, and ASP.NET leaves %2F encoded.
    private static bool TryResourceId(string text, out ResourceId id) =>
        ResourceId.TryParseText(System.Text.Encoding.ASCII.GetBytes(Uri.UnescapeDataString(text)), out id);

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => Results.Text("ok\n"));
        // 200 only when every health source says the node can serve; else 503 and the reasons, for people and probes.
        routes.MapGet("/readyz", (Readiness readiness, DrainState drain, IQueueStore store) =>
        {
            var ready = readiness.IsReady(out var checks);
            var failing = checks.Where(c => !c.Status.Healthy).Select(c => c.Name + ": " + c.Status.Reason).ToArray();
            var status = ready ? "ready" : drain.IsDraining ? "draining" : "unavailable";
            var report = new ReadyReport(status, store.Kind, ready ? null : string.Join(" ", failing),
                checks.Select(c => new CheckReport(c.Name, c.Status.Healthy, c.Status.Reason)).ToArray());
            return Results.Json(report, OperatorJson.Default.ReadyReport, statusCode: ready ? 200 : 503);
        });
        routes.MapGet("/admin/v1/ispb/{ispb}", async (string ispb, IQueueStore store, CancellationToken aborted) =>
        {
            if (!Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(ispb), out var parsed))
                return Results.Problem(detail: "An ISPB is 8 characters of [0-9A-Z].", statusCode: 400);
            var stats = await store.StatsAsync(parsed, aborted);
            return Results.Json(new IspbReport(ispb, stats.Depth, stats.Unacknowledged, stats.OldestUnacknowledgedAgeMs / 1000.0, stats.OpenStreams),
                OperatorJson.Default.IspbReport);
        });
        routes.MapGet("/admin/v1/quarantine", async (ISenderGate senders, CancellationToken aborted) =>
            Results.Json((await senders.IsolatedAsync(aborted)).Select(p => new IsolationReport(p.Sender.ToString(), p.Since)).ToArray(),
                OperatorJson.Default.IsolationReportArray));
        routes.MapGet("/admin/v1/quarantine/messages", async (string? from, string? since, int? limit, IQueueStore store, CancellationToken aborted) =>
        {
            if (from is null || !Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(from), out var sender))
                return Results.Problem(detail: "from= is required: the sender's ISPB, 8 characters of [0-9A-Z].", statusCode: 400);
            long sinceMs = 0;
            if (since is not null)
            {
                if (!DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                    return Results.Problem(detail: "since= is an ISO 8601 time, e.g. 2026-12-01T00:00:00Z.", statusCode: 400);
                sinceMs = parsed.ToUnixTimeMilliseconds();
            }
            var messages = new List<QuarantinedMessage>();
            await store.ListQuarantinedAsync(sender, sinceMs, Math.Clamp(limit ?? 100, 1, 1000), messages, aborted);
            return Results.Json(messages.Select(QuarantinedReport.Of).ToArray(), OperatorJson.Default.QuarantinedReportArray);
        });
        routes.MapGet("/admin/v1/quarantine/messages/{id}", async (string id, IQueueStore store, CancellationToken aborted) =>
        {
            if (!TryResourceId(id, out var parsed)) return Results.Problem(detail: "The id is a PI-ResourceId (32 characters of base64, percent-encoded in the path).", statusCode: 400);
            var found = await store.FindQuarantinedAsync(parsed, aborted);
            var bytes = found is { } message ? await store.ReadQuarantinedAsync(message.From, parsed, aborted) : null;
            return bytes is null
                ? Results.Problem(detail: "No quarantined message has this id (never was, delivered, or past its retention or quota).", statusCode: 404)
                : Results.Bytes(bytes, "application/xml; charset=utf-8");
        });
        routes.MapPost("/admin/v1/quarantine/messages/{id}/deliver", async (string id, QuarantineDesk desk, CancellationToken aborted) =>
        {
            if (!TryResourceId(id, out var parsed)) return Results.Problem(detail: "The id is a PI-ResourceId (32 characters of base64, percent-encoded in the path).", statusCode: 400);
            var delivery = await desk.DeliverAsync(parsed, aborted);
            return delivery.Status == QuarantineDeliveryStatus.NotFound
                ? Results.Problem(detail: "No quarantined message has this id (never was, delivered, or past its retention or quota).", statusCode: 404)
                : Results.Json(new DeliveryReport(delivery.Status == QuarantineDeliveryStatus.Delivered ? "delivered" : "duplicate",
                    delivery.Id.ToString(), delivery.To.ToString()), OperatorJson.Default.DeliveryReport);
        });
        routes.MapPost("/admin/v1/quarantine/{ispb}/release", async (string ispb, QuarantineDesk desk) =>
        {
            if (!Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(ispb), out var parsed))
                return Results.Problem(detail: "An ISPB is 8 characters of [0-9A-Z].", statusCode: 400);
            return await desk.ReleaseAsync(parsed)
                ? Results.Json(new ReleaseReport(ispb, true), OperatorJson.Default.ReleaseReport)
                : Results.Json(new ReleaseReport(ispb, false), OperatorJson.Default.ReleaseReport, statusCode: 404);
        });
    }
}

public sealed record ReadyReport(string Status, string Storage, string? Reason, CheckReport[] Checks);
public sealed record CheckReport(string Name, bool Healthy, string Reason);
public sealed record IspbReport(string Ispb, long QueueDepth, long Unacknowledged, double OldestUnacknowledgedAgeSeconds, int OpenStreams);
public sealed record IsolationReport(string Ispb, DateTimeOffset Since);
public sealed record ReleaseReport(string Ispb, bool Released);
public sealed record DeliveryReport(string Outcome, string ResourceId, string To);
public sealed record QuarantinedReport(string ResourceId, string From, string To, DateTimeOffset StoredAt, int Bytes)
{
    public static QuarantinedReport Of(QuarantinedMessage m) =>
        new(m.Id.ToString(), m.From.ToString(), m.To.ToString(), DateTimeOffset.FromUnixTimeMilliseconds(m.StoredAtUnixMs), m.Length);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadyReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IspbReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IsolationReport[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReleaseReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DeliveryReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(QuarantinedReport[]))]
internal sealed partial class OperatorJson : System.Text.Json.Serialization.JsonSerializerContext;
