using Pix.Storage.Collections;

namespace Pix.Tests.Storage;

/// <summary>The list the sender gate and the stream engine sweep: each item once, slots kept right as items leave
/// from anywhere in it, nothing listed after it left for good.</summary>
public sealed class SweepListTests
{
    private sealed class Item(int id) : ISweepListed
    {
        public int Id { get; } = id;
        public int SweepSlot { get; set; } = -1;
        public bool Gone { get; set; }
        bool ISweepListed.LeftForGood => Gone;
    }

    [Fact]
    public void EachItemIsListedOnceAndEveryRemovalKeepsTheOthersFindable()
    {
        var list = new SweepList<Item>();
        var items = Enumerable.Range(0, 10).Select(i => new Item(i)).ToArray();
        foreach (var item in items)
        {
            list.Add(item);
            list.Add(item);
        }
        Assert.Equal(10, list.Count);

        // From the middle, the end and the start: each time the last item takes the freed slot.
        foreach (var leaving in new[] { items[4], items[9], items[0], items[5] })
        {
            leaving.Gone = true;
            list.Remove(leaving);
            Assert.Equal(-1, leaving.SweepSlot);
        }
        var scratch = Array.Empty<Item>();
        var count = list.Snapshot(ref scratch);
        Assert.Equal(6, count);
        Assert.Equal(new[] { 1, 2, 3, 6, 7, 8 }, scratch.Take(count).Select(i => i.Id).Order());
        for (var i = 0; i < count; i++) Assert.Equal(i, scratch[i].SweepSlot);

        // Removing again, or an item never listed, changes nothing.
        list.Remove(items[4]);
        list.Remove(new Item(99));
        Assert.Equal(6, list.Count);
    }

    [Fact]
    public void AnItemThatLeftForGoodIsNeverListedAgain()
    {
        var list = new SweepList<Item>();
        var item = new Item(1);
        list.Add(item);
        item.Gone = true;
        list.Remove(item);
        list.Add(item);
        Assert.Equal(0, list.Count);
        Assert.Equal(-1, item.SweepSlot);
    }

    [Fact]
    public void TheSnapshotGrowsItsScratchOnlyWhenTheListOutgrowsIt()
    {
        var list = new SweepList<Item>();
        for (var i = 0; i < 5; i++) list.Add(new Item(i));
        var scratch = new Item[8];
        var before = scratch;
        Assert.Equal(5, list.Snapshot(ref scratch));
        Assert.Same(before, scratch);
        for (var i = 5; i < 12; i++) list.Add(new Item(i));
        Assert.Equal(12, list.Snapshot(ref scratch));
        Assert.NotSame(before, scratch);
        Assert.True(scratch.Length >= 12);
    }

    [Fact]
    public void ASweepTakesOutWhatLeftAndASweepStartedDuringItReturnsAtOnce()
    {
        var list = new SweepList<Item>();
        var items = Enumerable.Range(0, 6).Select(i => new Item(i)).ToArray();
        foreach (var item in items) list.Add(item);
        var visited = new List<int>();
        var nested = true;

        var swept = list.Sweep(list, (item, self) =>
        {
            visited.Add(item.Id);
            // A second sweep while this one runs (an overlapping timer callback) does nothing.
            if (item.Id == 0) nested = self.Sweep(0, (_, _) => throw new InvalidOperationException("a nested sweep walked"));
            item.Gone = item.Id % 2 == 0;
            return item.Gone;
        });

        Assert.True(swept);
        Assert.False(nested);
        Assert.Equal([0, 1, 2, 3, 4, 5], visited.Order());
        Assert.Equal(3, list.Count);
        Assert.All(items.Where(i => i.Gone), i => Assert.Equal(-1, i.SweepSlot));
        // Once it ended, the next sweep runs, and walks only what stayed.
        visited.Clear();
        Assert.True(list.Sweep(0, (item, _) => { visited.Add(item.Id); return false; }));
        Assert.Equal([1, 3, 5], visited.Order());
    }

    [Fact]
    public void ASweepThatThrowsLetsTheNextOneRun()
    {
        var list = new SweepList<Item>();
        list.Add(new Item(1));
        Assert.Throws<InvalidOperationException>(() => list.Sweep(0, (_, _) => throw new InvalidOperationException("boom")));
        Assert.True(list.Sweep(0, (_, _) => false));
    }
}
