using Pix.Storage.Redis;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>Nodes on one Redis share one token key, created once by whichever starts first.</summary>
public sealed class RedisTokenKeyTests
{
    [Fact]
    public async Task EveryNodeOnTheSameRedisGetsTheSameTokenKey()
    {
        await using var redis = await RedisProcess.StartAsync();
        var options = new RedisStoreOptions { Configuration = redis.EndPoint, Durability = RedisDurability.Aof };
        await using var first = new RedisQueueStore(options);
        await using var second = new RedisQueueStore(options);
        var keys = await Task.WhenAll(first.SharedTokenKeyAsync().AsTask(), second.SharedTokenKeyAsync().AsTask());
        Assert.Equal(32, keys[0].Length);
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(keys[0], await first.SharedTokenKeyAsync());
    }
}
