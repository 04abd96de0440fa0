using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pix.Protocol.Ids;
using Pix.Server.Quarantine;
using Pix.Storage;
using Pix.Storage.Senders;

namespace Pix.Server.Hosting;

/// <summary>
/// The operator listener's routes. Only operator connections reach ASP.NET's pipeline: the ICOM listener's
/// connection middleware never calls on, so these routes are not reachable from the ICOM port.
/// </summary>
internal static class OperatorEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => Results.Text("ok\n"));
        routes.MapGet("/readyz", (IQueueStore store) =>
        {
            var health = store.Health;
            return health.Healthy
                ? Results.Json(new ReadyReport("ready", store.Kind, null), OperatorJson.Default.ReadyReport)
                : Results.Json(new ReadyReport("unavailable", store.Kind, "storage: " + health.Reason), OperatorJson.Default.ReadyReport, statusCode: 503);
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

public sealed record ReadyReport(string Status, string Storage, string? Reason);
public sealed record IspbReport(string Ispb, long QueueDepth, long Unacknowledged, double OldestUnacknowledgedAgeSeconds, int OpenStreams);
public sealed record IsolationReport(string Ispb, DateTimeOffset Since);
public sealed record ReleaseReport(string Ispb, bool Released);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadyReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IspbReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IsolationReport[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReleaseReport))]
internal sealed partial class OperatorJson : System.Text.Json.Serialization.JsonSerializerContext;
