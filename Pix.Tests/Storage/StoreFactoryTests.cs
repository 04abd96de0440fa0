using Pix.Storage;

namespace Pix.Tests.Storage;

public sealed class StoreFactoryTests
{
    [Fact]
    public async Task CreatesTheConfiguredAdapter()
    {
        using var directory = new TemporaryDirectory();
        await using var embedded = StoreFactory.Create("embedded", new StoreFactoryOptions { DataDir = directory.Path });
        await using var memory = StoreFactory.Create("Memory", new StoreFactoryOptions());
        Assert.Equal("embedded", embedded.Kind);
        Assert.Equal("memory", memory.Kind);
        Assert.True(File.Exists(Path.Combine(directory.Path, "pix.lock")));
    }

    [Fact]
    public void AnUnknownKindIsRefusedWithTheKnownOnes()
    {
        var refused = Assert.Throws<ArgumentException>(() => StoreFactory.Create("cassandra", new StoreFactoryOptions()));
        Assert.Contains("'cassandra'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("embedded, memory", refused.Message, StringComparison.Ordinal);
    }
}
