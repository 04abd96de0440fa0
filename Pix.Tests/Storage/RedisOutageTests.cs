using System.Diagnostics;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Redis;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>The Redis adapter while its server is gone: the port's one fault, fast, and nothing given up for good.</summary>
public sealed class RedisOutageTests
{
    private static readonly Ispb Receiver = Ispb.Parse("12345678");

    [Fact]
    public async Task WatchingWhileRedisIsDownDoesNotThrowAndSubscribesOnceItIsBack()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var store = new RedisQueueStore(new RedisStoreOptions { Configuration = redis.EndPoint, Durability = RedisDurability.Aof });
        redis.Kill();
        var woken = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A read's first look at a participant subscribes to its wake-ups: this threw (a 500 for the read) and
        // was never tried again.
        store.Watch(Receiver, (_, count) => woken.TrySetResult(count));
        await redis.RestartAsync(cluster: false);

        var clock = Stopwatch.StartNew();
        while (!woken.Task.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                var batch = new AppendBatch();
                batch.Add(new IncomingMessage(Receiver, Ispb.Spi, default, "<x/>"u8.ToArray(), Disposition.Deliver));
                await store.AppendAsync(batch);
            }
            catch (StoreUnavailableException)
            {
                // Not reconnected yet.
            }
            await Task.WhenAny(woken.Task, Task.Delay(250));
        }
        Assert.True(woken.Task.IsCompleted, "the wake-up subscription was never made after Redis came back");
        Assert.Equal(1, await woken.Task);
    }

    [Fact]
    public async Task ACallWhileRedisIsDownFailsAtOnceWithThePortsFault()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var store = new RedisQueueStore(new RedisStoreOptions { Configuration = redis.EndPoint, Durability = RedisDurability.Aof });
        redis.Kill();
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.OpenStreamAsync(Receiver, 6, new StreamTimes(1000, 1000)));
        // Not a measured speed: the difference between failing now and queueing for the client's 5 s timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the call waited {clock.Elapsed.TotalSeconds:F1} s for a server that is gone");
        Assert.False(store.Health.Healthy);
    }
}
