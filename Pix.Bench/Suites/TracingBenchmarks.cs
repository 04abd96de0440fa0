using System.Text;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Pix.Bench.Embedded;
using Pix.Server.Telemetry;
using Pix.Storage.Memory;

namespace Pix.Bench.Suites;

/// <summary>
/// An empty stream read (204) whose request carries a client's <c>traceparent</c> (sampled flag set), with the
/// OpenTelemetry SDK listening to the <c>Pix</c> source as the host does when <c>Pix:Telemetry:OtlpEndpoint</c> is
/// set: not drawn by Pix's sampling (what 99 % of requests see at the default 0.01), and drawn (the price of one trace:
/// the request span, token, two store reads and the write, handed to a processor that drops them).
/// </summary>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    private TempDirectory _directory = null!;
    private EmbeddedServer _server = null!;
    private TracerProvider _provider = null!;
    private byte[] _read = [];

    private void Setup(double sampling)
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(PixTracing.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new SimpleActivityExportProcessor(new DiscardingSpanExporter()))
            .Build()!;
        _directory = new TempDirectory();
        _server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), _directory.Path, traceSampling: sampling);
        var read = Encoding.ASCII.GetString(BenchRequests.OnToken("GET"));
        _read = Encoding.ASCII.GetBytes(read.Replace("\r\n\r\n", "\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n"));
        _server.Expect(BenchRequests.Start(), 204);
        if (ReadOnChain() != 204) throw new InvalidOperationException("Expected 204.");
    }

    [GlobalSetup(Target = nameof(Read204NotSampled))]
    public void SetupNotSampled() => Setup(0);

    [GlobalSetup(Target = nameof(Read204Sampled))]
    public void SetupSampled() => Setup(1);

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _provider.Dispose();
        _directory.Dispose();
    }

    /// <summary>SDK listening, request not drawn: the traceparent is never parsed, nothing is created.</summary>
    [Benchmark]
    public int Read204NotSampled() => ReadOnChain();

    /// <summary>SDK listening, every request drawn: the cost of one trace of a read.</summary>
    [Benchmark]
    public int Read204Sampled() => ReadOnChain();

    private int ReadOnChain()
    {
        _server.NextToken.CopyTo(_read.AsSpan(BenchRequests.TokenOffset("GET")));
        return _server.Send(_read);
    }
}
