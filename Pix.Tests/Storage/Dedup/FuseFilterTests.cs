using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

public sealed class FuseFilterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1_000)]
    [InlineData(200_000)]
    public void EveryAddedHashIsFoundAndFewAbsentOnesAre(int size)
    {
        var random = new Random(size);
        var hashes = Enumerable.Range(0, size).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40)).Distinct().ToArray();
        var filter = FuseFilter.Build(hashes, 13, new FuseFilter.Scratch());
        Assert.All(hashes, h => Assert.True(filter.MayContain(h)));

        const int probes = 1_000_000;
        var falsePositives = 0;
        for (var i = 0; i < probes; i++)
        {
            if (filter.MayContain((ulong)random.NextInt64() | 1UL << 63)) falsePositives++;
        }
        // 2^-13 is 122 in a million.
        Assert.True(falsePositives < 250, $"{falsePositives} false positives in {probes}");
        if (size >= 100_000) Assert.True(filter.ByteLength * 8.0 / size < 15.5, $"{filter.ByteLength * 8.0 / size:F1} bits per key");
    }

    [Fact]
    public void APartitionedRunFilterRoundTripsThroughItsBytes()
    {
        var random = new Random(5);
        var hashes = Enumerable.Range(0, 600_000).Select(_ => (ulong)random.NextInt64() * 2).Order().ToArray();
        var builder = new DedupRunFilter.Builder(hashes.Length, 13);
        foreach (var h in hashes) builder.Add(h);
        var filter = builder.Finish();
        var files = new PowerCutFiles();
        using (var file = files.Create("f")) filter.WriteTo(file, 0, new System.IO.Hashing.Crc32());
        using var read = files.OpenRead("f");
        var bytes = new byte[read.Length];
        read.ReadAt(bytes, 0);
        Assert.True(DedupRunFilter.TryRead(bytes, out var loaded));
        Assert.Equal(filter.ByteLength, bytes.Length);
        Assert.All(hashes, h => Assert.True(loaded!.MayContain(h)));
        var falsePositives = Enumerable.Range(0, 200_000).Count(i => loaded!.MayContain((ulong)random.NextInt64() * 2 + 1));
        Assert.True(falsePositives < 60, $"{falsePositives} false positives in 200,000");
        bytes[^1] = 0xFF;
        Assert.False(DedupRunFilter.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _));
    }
}
