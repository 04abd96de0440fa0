using Pix.Bench.Suites;

namespace Pix.Tests.Allocation;

/// <summary>
/// The gate's <c>EmbeddedStoreBenchmarks.EmbeddedIngest1</c> row, checked in <c>dotnet test</c>: a POST stored durably
/// by the embedded store. The request suspends for the group commit's fsync and resumes on a pool thread, and the
/// group is encoded on the store's writer thread, so a per-thread counter would miss most of it: this counts every
/// thread of the process (<see cref="GC.GetTotalAllocatedBytes"/>, as the MemoryDiagnoser does).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class EmbeddedIngestAllocationTests
{
    private const int Warmups = 500;
    private const int Measured = 500;
    // Not 0: the process's own timers (the Date header's once a second, the notice dispatcher's 2 s sweep) allocate
    // a few hundred bytes a second whatever the requests do, about 1 B per append at this rate. The per-append
    // allocations this guards against were 160 B (a closure and a boxed enumerator on the writer thread).
    private const double ToleranceBytesPerAppend = 16;

    [Fact]
    public void AnEmbeddedIngestAllocatesNothingOnAnyThread()
    {
        var benchmarks = new EmbeddedStoreBenchmarks();
        benchmarks.Setup();
        try
        {
            for (var i = 0; i < Warmups; i++) Assert.Equal(201, benchmarks.EmbeddedIngest1());
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Measured; i++) Assert.Equal(201, benchmarks.EmbeddedIngest1());
            var perAppend = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured;
#if !DEBUG
            Assert.True(perAppend <= ToleranceBytesPerAppend, $"Allocated {perAppend:F1} B per embedded ingest (all threads).");
#else
            _ = perAppend;
#endif
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }
}
