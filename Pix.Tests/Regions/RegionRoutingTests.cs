using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Redis;
using Pix.Storage.Regions;
using Pix.Tests.Cluster;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;
using StackExchange.Redis;

namespace Pix.Tests.Regions;

/// <summary>Two regions, one Pix node each, on one region-split Redis Cluster (shared by these tests: each uses ISPBs
/// of its own).</summary>
public sealed class RegionFixture : IAsyncLifetime
{
    internal RegionDeployment Deployment { get; private set; } = null!;

    public async Task InitializeAsync() => Deployment = await RegionDeployment.StartAsync();

    public async Task DisposeAsync() => await Deployment.DisposeAsync();
}

/// <summary>
/// What a PSP sees of regions in normal operation: a node serves the streams and the sending of its region's ISPBs
/// only, answers 421 naming the owner for the others without touching their state, mints tokens with the map's
/// epoch; an override moves an ISPB (and its token chain) to the other region; data stays in the home region's slots;
/// and a step made with an old epoch is refused by the store's own scripts.
/// </summary>
public sealed class RegionRoutingTests(RegionFixture fixture) : IClassFixture<RegionFixture>
{
    private RegionDeployment D => fixture.Deployment;

    [Fact]
    public async Task AnIspbOfTheOtherRegionGets421NamingItsOwnerAndNothingOfItIsTouched()
    {
        var psp = D.NewIspbs(D.B, 1)[0];
        var start = await ClusterCalls.StartAsync(D.Port(D.A), psp);
        Assert.Equal(421, start.Status);
        Assert.Equal("application/problem+xml", start.Header("Content-Type"));
        Assert.Contains("/misdirectedRequest</type>", start.Text);
        Assert.Contains($"<region>{D.B}</region>", start.Text);
        Assert.Contains($"<regionUrl>{D.Url(D.B)}</regionUrl>", start.Text);
        // Ingest is served by the sender's region: a PSP of B sending through A is sent to B.
        using (var client = new IcomClient(D.Port(D.A)))
        {
            var post = await client.PostAsync(psp, TestMessages.Pacs008(psp, ClusterCalls.Spi));
            Assert.Equal(421, post.Status);
            Assert.Contains($"<region>{D.B}</region>", post.Text);
        }
        // Nothing of it was made: no stream slot, no queue (the operator view reads the store itself).
        var view = await ClusterCalls.ViewAsync(D.Node(D.B), psp);
        Assert.Equal((0L, 0L, 0), view);
        // Its own region serves it.
        var served = await ClusterCalls.StartAsync(D.Port(D.B), psp);
        Assert.True(served.Status is 200 or 204, served.ToString());
    }

    [Fact]
    public async Task APostOfAnotherRegionsSenderIsRefusedFromItsHeadWithoutWaitingForTheBody()
    {
        var psp = D.NewIspbs(D.B, 1)[0];
        using var connection = new RawHttpConnection(D.Port(D.A));
        // A head announcing a megabyte that never comes: the 421 must not wait for it.
        connection.Send($"POST /api/v1/in/{psp}/msgs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nContent-Length: 1000000\r\n\r\n<partial");
        var refused = await connection.ReadAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(421, refused.Status);
        Assert.Contains($"<region>{D.B}</region>", refused.Text);
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task KeysLiveOnTheHomeRegionsSlotsAndTokensCarryTheMapsEpoch()
    {
        var psp = D.NewIspbs(D.A, 1)[0];
        var placement = new RedisPlacement(D.Redis.Ring);
        var prefix = placement.Prefix(Ispb.Parse(psp));
        Assert.StartsWith($"pix:{{{D.A}:{psp}:", prefix);
        var slot = HashSlot.Of(prefix + "seq");
        var (first, last) = D.Redis.Ring.Slots(D.A);
        Assert.InRange(slot, first, last);
        // The slot function agrees with Redis, and the primary of that slot is a node of the home region.
        Assert.Equal(slot.ToString(), RedisCluster.Cli(D.Redis.In(D.A)[0], $"cluster keyslot {prefix}seq").Trim());
        Assert.Contains(D.Redis.PrimaryOfSlot(slot, D.A), D.Redis.EndPointsOf(D.A).Split(','));

        await ClusterCalls.PostAsync(D.Port(D.A), psp, 2);
        var read = await ClusterCalls.StartAsync(D.Port(D.A), psp);
        Assert.Equal(200, read.Status);
        Assert.True(D.Tokens.TryRead(System.Text.Encoding.ASCII.GetBytes(ClusterCalls.Next(read).Split('/').Last()), out var token));
        Assert.Equal(await D.EpochAsync(D.A), token.Epoch);
        Assert.True(token.Epoch >= 1);
        using var redis = await ConnectionMultiplexer.ConnectAsync(D.Redis.Configuration);
        Assert.True(await redis.GetDatabase().KeyExistsAsync(prefix + "seq"));
    }

    [Fact]
    public async Task AnOverrideMovesAnIspbAndItsTokenChainToTheOtherRegionAndBack()
    {
        var psp = D.NewIspbs(D.A, 1)[0];
        var ids = await ClusterCalls.PostAsync(D.Port(D.A), psp, 3);
        var first = await ClusterCalls.StartAsync(D.Port(D.A), psp);
        Assert.Equal(ids, ClusterCalls.Ids(first));
        var epoch = await D.EpochAsync(D.A);

        var (code, output) = await D.DrAsync("assign", "--ispb", psp, "--to", D.B);
        Assert.True(code == 0, output);
        // Pushed: both nodes hold the new map within a second or so (more on a machine as busy as CI's can be).
        await CrossNodeStreamTests.WaitUntilAsync(async () => await D.EpochAsync(D.A) > epoch && await D.EpochAsync(D.B) > epoch, TimeSpan.FromSeconds(15),
            "the nodes did not learn the new map");
        var refused = await ClusterCalls.GetAsync(D.Port(D.A), ClusterCalls.Next(first));
        Assert.Equal(421, refused.Status);
        Assert.Contains($"<region>{D.B}</region>", refused.Text);
        // The token minted in A works in B: it acknowledges the first batch, and nothing comes twice.
        var second = await ClusterCalls.GetAsync(D.Port(D.B), ClusterCalls.Next(first));
        Assert.Equal(204, second.Status);
        Assert.Equal((0L, 0L, 1), await ClusterCalls.ViewAsync(D.Node(D.B), psp));
        var more = await ClusterCalls.PostAsync(D.Port(D.A), psp, 2);
        var third = await ClusterCalls.GetAsync(D.Port(D.B), ClusterCalls.Next(second));
        Assert.Equal(more, ClusterCalls.Ids(third));

        (code, output) = await D.DrAsync("assign", "--ispb", psp, "--to", "default");
        Assert.True(code == 0, output);
        await CrossNodeStreamTests.WaitUntilAsync(async () => (await ClusterCalls.GetAsync(D.Port(D.B), ClusterCalls.Next(third))).Status == 421,
            TimeSpan.FromSeconds(15), "B kept serving the ISPB after the override was removed");
        var back = await ClusterCalls.GetAsync(D.Port(D.A), ClusterCalls.Next(third));
        Assert.Equal(204, back.Status);
        Assert.Contains("map.flip", output);
    }

    [Fact]
    public async Task AStepWithAnOlderEpochThanTheIspbsFenceIsRefusedByTheStoreAndChangesNothing()
    {
        var psp = Ispb.Parse(D.NewIspbs(D.A, 1)[0]);
        var regions = new RegionOwnership(D.A, D.Redis.Ring);
        await using var store = new RedisQueueStore(new RedisStoreOptions { Configuration = D.Redis.Configuration, Regions = regions });
        await CrossNodeStreamTests.WaitUntilAsync(() => regions.Current is not null, TimeSpan.FromSeconds(10), "the store never loaded the map");
        var times = new StreamTimes(5000, 30000);
        var opened = await store.OpenStreamAsync(psp, 6, times);
        Assert.True(opened.Opened);
        var batch = new MessageBatch();
        var lease = 77UL;
        var read = await store.ReadAsync(new ReadRequest(psp, opened.StreamId, 0, ReadMode.Advance, 10, lease, times), batch);
        Assert.Equal(ReadStatus.Ok, read.Status);

        // The controller moved the ISPB at a later epoch; this store's map has not heard (no push: the fence alone).
        using var redis = await ConnectionMultiplexer.ConnectAsync(D.Redis.Configuration);
        var prefix = store.Placement.Prefix(psp);
        await new RedisRegionMap(redis, D.Redis.Ring).RaiseFenceAsync(prefix, regions.Current!.Epoch + 1000);

        await Assert.ThrowsAsync<MisdirectedException>(async () => await store.OpenStreamAsync(psp, 6, times));
        await Assert.ThrowsAsync<MisdirectedException>(async () => await store.ReadAsync(new ReadRequest(psp, opened.StreamId, read.Batch, ReadMode.Advance, 10, 78, times), batch));
        await Assert.ThrowsAsync<MisdirectedException>(async () => await store.CloseStreamAsync(new CloseRequest(psp, opened.StreamId, read.Batch)));
        var gate = new RedisSenderGate(store, new Pix.Storage.Senders.SenderGateSettings(100, 100, 0.5, 10, 60));
        await Assert.ThrowsAsync<MisdirectedException>(async () => await gate.AdmitAsync(psp, 1, 1, 0));
        // Nothing changed: one stream, its batch number and lease as the last allowed step left them.
        var db = redis.GetDatabase();
        Assert.Equal(1, await db.SetLengthAsync(prefix + "streams"));
        Assert.Equal(read.Batch.ToString(), (string?)await db.HashGetAsync($"{prefix}s:{opened.StreamId}", "b"));
        Assert.Equal(lease.ToString(), (string?)await db.HashGetAsync($"{prefix}s:{opened.StreamId}", "l"));
        // Letting go of its own lease is the one thing still allowed (it claims and acknowledges nothing).
        await store.ReadAsync(new ReadRequest(psp, opened.StreamId, read.Batch, ReadMode.Release, 10, lease, times), batch);
        Assert.Equal("0", (string?)await db.HashGetAsync($"{prefix}s:{opened.StreamId}", "l"));
    }
}
