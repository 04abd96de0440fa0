using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pix.Tests.Otlp;

namespace Pix.Tests.Support;

/// <summary>
/// A stand-in OpenTelemetry collector on a free loopback port: takes OTLP/HTTP protobuf posts on <c>/v1/traces</c> and
/// <c>/v1/metrics</c> and decodes them, so a test sees exactly what Pix exported.
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<Span> Spans { get; } = new();
    public ConcurrentQueue<string> MetricNames { get; } = new();
    public ConcurrentQueue<string> ContentTypes { get; } = new();

    private OtlpCollector(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.First();

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            collector.ContentTypes.Enqueue(request.ContentType ?? "");
            var export = ExportTraceServiceRequest.Parser.ParseFrom(await ReadAsync(request));
            foreach (var resource in export.ResourceSpans)
                foreach (var scope in resource.ScopeSpans)
                    foreach (var span in scope.Spans) collector.Spans.Enqueue(span);
            return Results.Ok();
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            var export = ExportMetricsServiceRequest.Parser.ParseFrom(await ReadAsync(request));
            foreach (var resource in export.ResourceMetrics)
                foreach (var scope in resource.ScopeMetrics)
                    foreach (var metric in scope.Metrics) collector.MetricNames.Enqueue(metric.Name);
            return Results.Ok();
        });
        await app.StartAsync();
        return collector;
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
