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
        await using var traced = new TracedServer(sampling: 0);
        AllocationMeter.AssertNone(traced.ReadOnChain);
        Assert.Empty(traced.Exporter.Spans);
    }

    [Fact]
    public async Task ASampledReadContinuesTheClientsTraceWithSpansForTokenReadAndWrite()
    {
        await using var traced = new TracedServer(sampling: 1);
        Assert.Equal(204, traced.ReadOnChain());
        traced.Provider.ForceFlush();

        var spans = traced.Exporter.Spans.Where(s => s.TraceId.ToHexString() == TraceId).ToList();
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
        await using var traced = new TracedServer(sampling: 0.05);
        const int requests = 2000;
        for (var i = 0; i < requests; i++) Assert.Equal(204, traced.ReadOnChain());
        traced.Provider.ForceFlush();
        // Every request asked to be sampled; Pix drew 5 %: 100 expected, standard deviation about 10.
        var roots = traced.Exporter.Spans.Count(s => s.Kind == ActivityKind.Server);
        Assert.InRange(roots, 50, 150);
    }

    /// <summary>The embedded server with the SDK listening to the <c>Pix</c> source, and a stream open: every read on
    /// its token chain carries the client's <c>traceparent</c> with the sampled flag set.</summary>
    private sealed class TracedServer : IAsyncDisposable
    {
        private readonly TempDirectory _directory = new();
        private readonly EmbeddedServer _server;
        private readonly byte[] _read = WithTraceParent(BenchRequests.OnToken("GET"));

        public TracedServer(double sampling)
        {
            Provider = Sdk.CreateTracerProviderBuilder()
                .AddSource(PixTracing.SourceName)
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new SimpleActivityExportProcessor(Exporter))
                .Build()!;
            _server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), _directory.Path, traceSampling: sampling);
            _server.Expect(BenchRequests.Start(), 204);
        }

        public CountingSpanExporter Exporter { get; } = new();
        public TracerProvider Provider { get; }

        /// <summary>A read on the latest token (long poll 0: 204), then the next token is taken for the next read.</summary>
        public int ReadOnChain()
        {
            _server.NextToken.CopyTo(_read.AsSpan(BenchRequests.TokenOffset("GET")));
            return _server.Send(_read);
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            Provider.Dispose();
            _directory.Dispose();
        }
    }

    private static byte[] WithTraceParent(byte[] request)
    {
        var text = Encoding.ASCII.GetString(request);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(text[..(end + 2)] + TraceParentHeader + text[(end + 2)..]);
    }
}
