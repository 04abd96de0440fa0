using System.Diagnostics;
using Google.Protobuf;
using Pix.Tests.Otlp;
using Pix.Tests.Support;

namespace Pix.Tests.Operations;

/// <summary>
/// Traces and metrics leave Pix over OTLP/HTTP protobuf to <c>Pix:Telemetry:OtlpEndpoint</c>: a stand-in collector
/// decodes them and finds each request's spans under the client's trace id, with strict headers on.
/// </summary>
public sealed class TraceExportTests
{
    private const string Spi = "00038166";

    [Fact]
    public async Task RequestSpansAndMetricsReachTheCollectorUnderTheClientsTrace()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var server = await PixServerProcess.StartAsync("embedded", null,
            ("Pix:Telemetry:OtlpEndpoint", collector.Endpoint), ("Pix:Telemetry:TraceSampling", "1"),
            ("Pix:Telemetry:ExportIntervalSeconds", "0.5"), ("Pix:Http:StrictHeaders", "true"),
            ("Pix:Streams:LongPollSeconds", "0.3"));
        var psp = EndToEnd.ServerFixture.NewIspb();
        var ingestTrace = ActivityTraceId.CreateRandom().ToHexString();
        var readTrace = ActivityTraceId.CreateRandom().ToHexString();
        const string clientSpan = "00f067aa0ba902b7";

        using var client = new IcomClient(server.Port);
        // The client's flag says "not sampled": Pix samples by its own ratio (1 here) and keeps the client's trace id.
        var posted = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", System.Text.Encoding.UTF8.GetBytes(TestMessages.Pacs008(Spi, psp)),
            $"Content-Type: application/xml; charset=utf-8\r\ntraceparent: 00-{ingestTrace}-{clientSpan}-00\r\ntracestate: psp=1\r\n");
        Assert.Equal(201, posted.Status);
        var read = await client.StartAsync(psp, extraHeaders: $"traceparent: 00-{readTrace}-{clientSpan}-01\r\n");
        Assert.Equal(200, read.Status);

        await DrainTests.WaitUntilAsync(() => Task.FromResult(
            HasSpan(collector, ingestTrace, "store.append") && HasSpan(collector, readTrace, "stream.write") && collector.MetricNames.Contains("pix.requests")), 15);

        var ingest = collector.Spans.Where(s => Hex(s.TraceId) == ingestTrace).ToList();
        var root = Assert.Single(ingest, s => s.Name == "POST /api/v1/in/{ispb}/msgs");
        Assert.Equal(clientSpan, Hex(root.ParentSpanId));
        Assert.Equal("psp=1", root.TraceState);
        Assert.Contains(root.Attributes, a => a.Key == "http.response.status_code" && a.Value.IntValue == 201);
        foreach (var name in new[] { "ingest.body", "ingest.check", "store.append" })
            Assert.Equal(root.SpanId, Assert.Single(ingest, s => s.Name == name).ParentSpanId);

        var reads = collector.Spans.Where(s => Hex(s.TraceId) == readTrace).ToList();
        var readRoot = Assert.Single(reads, s => s.Name == "GET /api/v1/out/{ispb}/stream/start");
        Assert.Contains(readRoot.Attributes, a => a.Key == "pix.ispb" && a.Value.StringValue == psp);
        foreach (var name in new[] { "store.open_stream", "store.read", "stream.write" })
            Assert.Contains(reads, s => s.Name == name && s.ParentSpanId == readRoot.SpanId);
        Assert.All(collector.ContentTypes, type => Assert.Equal("application/x-protobuf", type));
    }

    [Fact]
    public async Task ALongPollThatWaitsShowsItsWaitAsASpan()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Telemetry:OtlpEndpoint", collector.Endpoint), ("Pix:Telemetry:TraceSampling", "1"),
            ("Pix:Telemetry:ExportIntervalSeconds", "0.5"), ("Pix:Streams:LongPollSeconds", "0.5"));
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        using var client = new IcomClient(server.Port);
        var read = await client.StartAsync(EndToEnd.ServerFixture.NewIspb(), extraHeaders: $"traceparent: 00-{trace}-00f067aa0ba902b7-01\r\n");
        Assert.Equal(204, read.Status);
        await DrainTests.WaitUntilAsync(() => Task.FromResult(HasSpan(collector, trace, "stream.long_poll")), 15);
        var wait = collector.Spans.Single(s => Hex(s.TraceId) == trace && s.Name == "stream.long_poll");
        var root = collector.Spans.Single(s => Hex(s.TraceId) == trace && s.Name == "GET /api/v1/out/{ispb}/stream/start");
        Assert.Equal(root.SpanId, wait.ParentSpanId);
        // The wait lies inside the request and ends at the poll's deadline (0.5 s after the request began, or later:
        // the sweeper wakes it); when it began depends on how long the first look took, so only its end is checked.
        Assert.True(wait.StartTimeUnixNano > root.StartTimeUnixNano && wait.EndTimeUnixNano <= root.EndTimeUnixNano, "The wait is not inside the request.");
        Assert.True(wait.EndTimeUnixNano > wait.StartTimeUnixNano);
        Assert.True(wait.EndTimeUnixNano - root.StartTimeUnixNano >= 500_000_000UL, "The wait ended before the poll's deadline.");
    }

    private static bool HasSpan(OtlpCollector collector, string trace, string name) =>
        collector.Spans.Any(s => Hex(s.TraceId) == trace && s.Name == name);

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
