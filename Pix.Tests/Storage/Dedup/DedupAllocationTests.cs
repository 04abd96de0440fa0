using Pix.Storage.Embedded.Dedup;
using Pix.Tests.Allocation;

namespace Pix.Tests.Storage.Dedup;

/// <summary>The ingest path's dedup calls allocate nothing: a lookup found in a table, found in a run (a block
/// read), absent, and an add that does not fill its table.</summary>
[Collection(AllocationCollection.Name)]
public sealed class DedupAllocationTests : IDisposable
{
    private static readonly long T0 = DateTimeOffset.Parse("2026-01-05T00:00:00Z").ToUnixTimeMilliseconds();
    private readonly TemporaryDirectory _directory = new();
    private readonly DiskDedupIndex _index;

    public DedupAllocationTests()
    {
        _index = DiskDedupIndex.Open(_directory.Path, DedupTestKeys.Instance, new DedupIndexOptions { CacheBytes = 16L * 1024 * 1024 });
        for (var i = 0; i < 1_000; i++) _index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0 + i);
        _index.PersistAsync(999).GetAwaiter().GetResult();
        _index.Add(DedupTestKeys.Key(5_000), DedupTestKeys.Id(5_001), T0 + 5_000);
    }

    [Fact]
    public void ALookupFoundInARunAllocatesNothing()
    {
        var key = DedupTestKeys.Key(7);
        AllocationMeter.AssertNone(() => _index.TryGet(key, out _));
    }

    [Fact]
    public void ALookupFoundInATableAllocatesNothing()
    {
        var key = DedupTestKeys.Key(5_000);
        AllocationMeter.AssertNone(() => _index.TryGet(key, out _));
    }

    [Fact]
    public void AnAbsentLookupAllocatesNothing()
    {
        var key = DedupTestKeys.Absent(1);
        AllocationMeter.AssertNone(() => _index.TryGet(key, out _));
    }

    [Fact]
    public void AnAddAllocatesNothing()
    {
        var key = DedupTestKeys.Key(6_000);
        var n = 0UL;
        AllocationMeter.AssertNone(() =>
        {
            _index.Add(key, DedupTestKeys.Id(6_001), T0 + 6_000 + (long)n++);
            return n;
        });
    }

    public void Dispose()
    {
        _index.Dispose();
        _directory.Dispose();
    }
}
