using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Redis;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>
/// The Redis reaper must find every stream that exists, whatever became of the call that opened it: a stream slot
/// that no sweep knows is held for good, and six of them lock a participant out (429 on every start).
/// </summary>
public sealed class RedisReapTests : IAsyncLifetime
{
    private static readonly Ispb Psp = Ispb.Parse("11111111");
    private RedisProcess _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisProcess.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task AStreamWhoseReplicaWaitFailedIsStillReapedWhenIdle()
    {
        // One server and no replica: every replica wait fails, after the open's script has taken a slot.
        await using var store = new RedisQueueStore(new RedisStoreOptions { Configuration = _redis.EndPoint, Durability = RedisDurability.Replica, WaitMilliseconds = 20 });
        var times = new StreamTimes(5_000, 100);
        for (var i = 0; i < 6; i++)
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.OpenStreamAsync(Psp, 6, times));
        }

        // The replica is back (here: a node that does not wait for one), and the sweep runs.
        await using var sweeper = new RedisQueueStore(new RedisStoreOptions { Configuration = _redis.EndPoint, Durability = RedisDurability.Aof });
        await Task.Delay(300);
        var expired = new List<ExpiredStream>();
        await sweeper.ExpireIdleAsync(expired);

        // The six slots the failed opens took are given back; the participant can open streams again.
        Assert.Equal(6, expired.Count(e => e.Ispb == Psp));
    }

    [Fact]
    public async Task OpensRacingTheSweepNeverLeaveAStreamUnreaped()
    {
        await using var store = new RedisQueueStore(new RedisStoreOptions { Configuration = _redis.EndPoint, Durability = RedisDurability.Aof });
        var times = new StreamTimes(5_000, 1);
        var opened = 0;
        var expired = new List<ExpiredStream>();
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var round = new List<ExpiredStream>();
                await store.ExpireIdleAsync(round);
                lock (expired) expired.AddRange(round);
            }
        });
        // One opener against one sweeper: an open landing between a sweep's reap and its reschedule is the race.
        for (var i = 0; i < 1000; i++)
        {
            if ((await store.OpenStreamAsync(Psp, 6, times)).Opened) opened++;
        }
        await stop.CancelAsync();
        await sweeper;

        // Every stream opened is idle by now: sweeps until one finds nothing must have expired each exactly once.
        await Task.Delay(50);
        for (var round = 0; round < 10; round++)
        {
            var found = new List<ExpiredStream>();
            await store.ExpireIdleAsync(found);
            expired.AddRange(found);
            await Task.Delay(20);
        }
        Assert.Equal(opened, expired.Count);
        Assert.Equal(opened, expired.Select(e => e.StreamId).Distinct().Count());
    }
}
