using System.Diagnostics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Pix.Bench.Embedded;
using Pix.Server.Telemetry;
using Pix.Storage.Memory;

namespace Pix.Tests.Allocation;

/// <summary>
/// Tracing on the request path: with the OpenTelemetry SDK listening to the <c>Pix</c> source and sampling off,
/// requests that carry a client's <c>traceparent</c> (sampled flag set) still allocate nothing; with sampling on, the
/// spans continue the client's trace; and the client's flag cannot push Pix past its sampling ratio.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class TracingAllocationTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";
    private static readonly string TraceParentHeader = $"traceparent: 00-{TraceId}-{ClientSpanId}-01\r\n";

    [Fact]
    public async Task RequestsWithATraceparentAllocateNothingWhileTheSdkListensAndSamplingIsOff()
    {
        var exporter = new CountingSpanExporter();
        using var provider = Listen(exporter);
        using var directory = new TempDirectory();
        await using var server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), directory.Path, traceSampling: 0);
        var read = WithTraceParent(BenchRequests.OnToken("GET"));
        server.Expect(WithTraceParent(BenchRequests.Start()), 204);
        server.NextToken.CopyTo(read.AsSpan(BenchRequests.TokenOffset("GET")));

        AllocationMeter.AssertNone(() =>
        {
            var status = server.Send(read);
            server.NextToken.CopyTo(read.AsSpan(BenchRequests.TokenOffset("GET")));
            return status;
        });
        Assert.Empty(exporter.Spans);
    }

    [Fact]
    public async Task ASampledReadContinuesTheClientsTraceWithSpansForTokenClaimAndWrite()
    {
        var exporter = new CountingSpanExporter();
        using var provider = Listen(exporter);
        using var directory = new TempDirectory();
        await using var server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), directory.Path, traceSampling: 1);
        var read = WithTraceParent(BenchRequests.OnToken("GET"));
        server.Expect(BenchRequests.Start(), 204);
        server.NextToken.CopyTo(read.AsSpan(BenchRequests.TokenOffset("GET")));
        server.Expect(read, 204);
        provider.ForceFlush();

        var spans = exporter.Spans.Where(s => s.TraceId.ToHexString() == TraceId).ToList();
        var root = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("GET /api/v1/out/{ispb}/stream/{token}", root.DisplayName);
        Assert.Equal(ClientSpanId, root.ParentSpanId.ToHexString());
        Assert.Equal(204, root.GetTagItem("http.response.status_code"));
        // The store is read twice (the first look, then the last try at the long poll's deadline of 0 s); no wait.
        foreach (var name in new[] { "stream.token", "store.read", "stream.write" })
            Assert.Contains(spans, s => s.DisplayName == name && s.ParentSpanId == root.SpanId);
        Assert.DoesNotContain(spans, s => s.DisplayName == "stream.long_poll");
    }

    [Fact]
    public async Task TheClientsSampledFlagCannotPushPixPastItsSamplingRatio()
    {
        var exporter = new CountingSpanExporter();
        using var provider = Listen(exporter);
        using var directory = new TempDirectory();
        await using var server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), directory.Path, traceSampling: 0.05);
        var read = WithTraceParent(BenchRequests.OnToken("GET"));
        server.Expect(BenchRequests.Start(), 204);
        const int requests = 2000;
        for (var i = 0; i < requests; i++)
        {
            server.NextToken.CopyTo(read.AsSpan(BenchRequests.TokenOffset("GET")));
            server.Expect(read, 204);
        }
        provider.ForceFlush();
        // Every request asked to be sampled; Pix drew 5 %: 100 expected, standard deviation about 10.
        var roots = exporter.Spans.Count(s => s.Kind == ActivityKind.Server);
        Assert.InRange(roots, 50, 150);
    }

    private static TracerProvider Listen(CountingSpanExporter exporter) => Sdk.CreateTracerProviderBuilder()
        .AddSource(PixTracing.SourceName)
        .SetSampler(new AlwaysOnSampler())
        .AddProcessor(new SimpleActivityExportProcessor(exporter))
        .Build()!;

    private static byte[] WithTraceParent(byte[] request)
    {
        var text = Encoding.ASCII.GetString(request);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(text[..(end + 2)] + TraceParentHeader + text[(end + 2)..]);
    }
}
