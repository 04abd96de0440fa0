using BenchmarkDotNet.Attributes;
using Pix.Bench.Embedded;
using Pix.Protocol.Streams;
using Pix.Storage.Memory;

namespace Pix.Bench.Suites;

/// <summary>
/// DELETE alone: each operation closes a stream that the iteration's setup opened (opening one allocates its
/// per-stream state, which is not the DELETE's cost). BenchmarkDotNet runs the setup before it starts counting.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Streams, unrollFactor: 1)]
public class StreamDeleteBenchmarks
{
    private const int Streams = 2048;
    private TempDirectory _directory = null!;
    private EmbeddedServer _server = null!;
    private readonly byte[] _tokens = new byte[Streams * PullTokenCodec.TextLength];
    private byte[] _start = [], _delete = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory();
        // All of an iteration's streams are open at once: lift the six-per-ISPB limit.
        _server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero), _directory.Path, maxStreamsPerIspb: int.MaxValue);
        _start = BenchRequests.Start();
        _delete = BenchRequests.OnToken("DELETE");
        OpenStreams();
        var status = Delete();
        if (status != 200) throw new InvalidOperationException($"Expected 200, got {status}: {System.Text.Encoding.ASCII.GetString(_server.LastHead)}");
    }

    [IterationSetup]
    public void OpenStreams()
    {
        for (var i = 0; i < Streams; i++)
        {
            _server.Expect(_start, 204);
            _server.NextToken.CopyTo(_tokens.AsSpan(i * PullTokenCodec.TextLength));
        }
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _directory.Dispose();
    }

    /// <summary>DELETE on a stream's current token: acknowledges its (empty) batch, closes it, 200.</summary>
    [Benchmark]
    public int Delete()
    {
        _tokens.AsSpan(_next++ * PullTokenCodec.TextLength, PullTokenCodec.TextLength)
            .CopyTo(_delete.AsSpan(BenchRequests.TokenOffset("DELETE")));
        return _server.Send(_delete);
    }
}
