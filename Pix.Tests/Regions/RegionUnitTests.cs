using Pix.Protocol.Ids;
using Pix.Storage.Regions;
using Pix.Tests.Support;

namespace Pix.Tests.Regions;

/// <summary>The pieces of regions that need no server: the slot function, consistent hashing, the map.</summary>
public sealed class RegionUnitTests
{
    private static readonly RegionRing Ring = new(["sp", "us"]);

    [Fact]
    public void HashSlotIsRedisClustersFunction()
    {
        // Redis Cluster's specification: CRC16-XMODEM("123456789") = 0x31C3; only the hash tag counts when there is one.
        Assert.Equal(0x31C3, HashSlot.Of("123456789"));
        Assert.Equal(HashSlot.Of("{user1000}.following"), HashSlot.Of("{user1000}.followers"));
        Assert.Equal(HashSlot.Of("user1000"), HashSlot.Of("{user1000}.followers"));
        Assert.Equal(HashSlot.Of("{}x"), HashSlot.Of("{}x"));
        Assert.NotEqual(HashSlot.Of("{}x"), HashSlot.Of("x"));
    }

    [Fact]
    public void HomesAreStableBalancedAndAThirdRegionTakesOnlyWhatItWins()
    {
        var ispbs = Enumerable.Range(0, 2000).Select(i => Ispb.Parse($"8{i:D7}")).ToList();
        var homes = ispbs.ToDictionary(i => i, Ring.Home);
        Assert.All(ispbs, i => Assert.Equal(homes[i], new RegionRing(["us", "sp"]).Home(i)));
        var inSp = homes.Values.Count(h => h == "sp");
        Assert.InRange(inSp, 800, 1200);
        var three = new RegionRing(["sp", "us", "rj"]);
        foreach (var ispb in ispbs)
        {
            var home = three.Home(ispb);
            Assert.True(home == "rj" || home == homes[ispb], $"{ispb} moved from {homes[ispb]} to {home}, not to the new region");
        }
    }

    [Fact]
    public void TagsFallInTheirRegionsSlotRange()
    {
        Assert.Equal((0, 8191), Ring.Slots("sp"));
        Assert.Equal((8192, 16383), Ring.Slots("us"));
        foreach (var region in Ring.Names)
        {
            var (first, last) = Ring.Slots(region);
            for (var i = 0; i < 200; i++)
            {
                var tag = Ring.Tag(region, $"9{i:D7}");
                Assert.StartsWith(region + ":", tag);
                Assert.InRange(HashSlot.Of("{" + tag + "}:seq"), first, last);
                Assert.Equal(region, Ring.RegionOfSlot(HashSlot.Of("{" + tag + "}")));
            }
        }
    }

    [Fact]
    public void TheMapRoutesOverridesThenEvacuationsAndRoundTripsAsText()
    {
        var spi = Ispb.Spi;
        var psp = Ispb.Parse("12345678");
        var map = OwnershipMap.Initial;
        Assert.Equal("sp", map.OwnerOf(psp, "sp"));
        map = map.Assign(psp, "us");
        Assert.Equal(2, map.Epoch);
        Assert.Equal("us", map.OwnerOf(psp, "sp"));
        map = map.Evacuate("us", "sp");
        Assert.True(map.SingleRegion);
        Assert.Equal("sp", map.OwnerOf(psp, "sp"));
        Assert.Equal("sp", map.OwnerOf(spi, "us"));
        var text = map.WithOperation("failover us sp").ToString();
        var parsed = OwnershipMap.Parse(text);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal("failover us sp", parsed.Operation);
        map = parsed.Return("us");
        Assert.False(map.SingleRegion);
        Assert.Equal(4, map.Epoch);
        Assert.Equal("us", map.OwnerOf(psp, "sp"));
        Assert.Equal("sp", map.Assign(psp, null).OwnerOf(psp, "sp"));
        Assert.Throws<FormatException>(() => OwnershipMap.Parse("epoch 3\nowner 12345678 sp\n"));
        Assert.Throws<FormatException>(() => OwnershipMap.Parse("evacuated sp us\n"));
    }

    [Fact]
    public void RegionNamesAreChecked()
    {
        Assert.Throws<ArgumentException>(() => RegionRing.Parse("sp"));
        Assert.Throws<ArgumentException>(() => RegionRing.Parse("sp,sp"));
        Assert.Throws<ArgumentException>(() => RegionRing.Parse("sp,U S"));
        Assert.Throws<ArgumentException>(() => new RegionOwnership("rj", Ring));
    }

    [Fact]
    public void FailbackCountsOnlyReplicasOnlineAndInSync()
    {
        // What a primary's INFO replication says while the returning region resynchronizes: one replica in sync, one
        // still loading its copy, one whose last acknowledgement is 4 s old.
        const string info = "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n"
            + "slave0:ip=127.0.0.1,port=7201,state=online,offset=5120,lag=0\r\n"
            + "slave1:ip=127.0.0.1,port=7202,state=wait_bgsave,offset=0,lag=0\r\n"
            + "slave2:ip=127.0.0.1,port=7203,state=online,offset=4096,lag=4\r\n"
            + "master_failover_state:no-failover\r\nmaster_repl_offset:5120\r\n";
        Assert.Equal(["127.0.0.1:7201"], Pix.Server.Regions.DrController.OnlineReplicas(info));
        Assert.Empty(Pix.Server.Regions.DrController.OnlineReplicas("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"));
    }

    [Fact]
    public async Task TheEmbeddedStoreRefusesPixRegionAtStartup()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("embedded", null, ("Pix:Region", "sp"), ("Pix:Regions", "sp,us")));
        Assert.Contains("Pix:Region needs Pix:Storage redis", failure.Message);
    }
}
