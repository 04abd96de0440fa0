using Pix.Storage;
using Pix.Storage.Quarantine;
using Pix.Storage.Redis;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>The storage contract against one real redis-server (AOF fsync'd at every write, so durability is
/// <c>aof</c>; replica waits are covered by the cluster tests). A fresh server for each test: nothing carries over.</summary>
public sealed class RedisQueueStoreContractTests : QueueStoreContract
{
    private readonly List<RedisProcess> _redis = new();

    protected override IQueueStore CreateStore(QuarantineLimits quarantine)
    {
        var redis = RedisProcess.StartAsync().GetAwaiter().GetResult();
        _redis.Add(redis);
        return new RedisQueueStore(new RedisStoreOptions { Configuration = redis.EndPoint, Durability = RedisDurability.Aof, Quarantine = quarantine });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var redis in _redis) await redis.DisposeAsync();
    }
}
