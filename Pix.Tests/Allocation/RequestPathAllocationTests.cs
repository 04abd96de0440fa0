using Pix.Bench.Embedded;
using Pix.Bench.Suites;
using Pix.Storage.Memory;

namespace Pix.Tests.Allocation;

/// <summary>
/// Whole requests through the embedded server (no sockets: pipes with inline schedulers, so the request runs on
/// this thread) allocate nothing once warm: the benchmarks' operations, checked in <c>dotnet test</c>.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class RequestPathAllocationTests
{
    [Fact]
    public void AnEmptyReadAnswering204AllocatesNothing() => Check(b => b.SetupRead204(), b => b.StreamRead204);

    [Fact]
    public void ARepeatedTenMessageReadAllocatesNothing() => Check(b => b.SetupRepeat(), b => b.StreamRead10Repeat);

    [Fact]
    public void ATenMessageReadAllocatesNothing() => Check(b => b.SetupRead10(), b => b.StreamRead10);

    [Fact]
    public void IngestOfOneMessageAllocatesNothing() => Check(b => b.SetupIngest(), b => b.Ingest1);

    [Fact]
    public void IngestOfATenPartMultipartAllocatesNothing() => Check(b => b.SetupIngest(), b => b.Ingest10Multipart);

    [Fact]
    public async Task ADeleteAllocatesNothing()
    {
        using var directory = new TempDirectory();
        await using var server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero), directory.Path);
        var start = BenchRequests.Start();
        var delete = BenchRequests.OnToken("DELETE");
        long measured = 0;
        // Everything below runs before the first await, so on this thread.
        for (var i = 0; i < 80; i++)
        {
            // Opening a stream allocates its session and claim state (once per stream); only the DELETE is counted.
            server.Expect(start, 204);
            server.NextToken.CopyTo(delete.AsSpan(BenchRequests.TokenOffset("DELETE")));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var status = server.Send(delete);
            if (i >= 64) measured += GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(200, status);
        }
#if !DEBUG
        Assert.True(measured == 0, $"DELETE allocated {measured / 16} B per request.");
#endif
    }

    private static void Check(Action<RequestPathBenchmarks> setup, Func<RequestPathBenchmarks, Func<int>> operation)
    {
        var benchmarks = new RequestPathBenchmarks();
        setup(benchmarks);
        try
        {
            AllocationMeter.AssertNone(operation(benchmarks));
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }
}
