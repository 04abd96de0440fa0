using Pix.Storage;
using Pix.Storage.Redis;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>The storage contract against one real redis-server (AOF fsync'd at every write, so durability is
/// <c>aof</c>; replica waits are covered by the cluster tests). A fresh server for each test: nothing carries over.</summary>
public sealed class RedisQueueStoreContractTests : QueueStoreContract
{
    private RedisProcess? _redis;

    protected override IQueueStore CreateStore()
    {
        _redis = RedisProcess.StartAsync().GetAwaiter().GetResult();
        return new RedisQueueStore(new RedisStoreOptions { Configuration = _redis.EndPoint, Durability = RedisDurability.Aof });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}
