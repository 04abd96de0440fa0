using Pix.Storage.Redis;
using Pix.Storage.Senders;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Storage;

/// <summary>The sender gate on a real redis-server, through two stores as two nodes would hold them.</summary>
public sealed class RedisSenderGateTests : SenderGateContract
{
    private readonly List<IAsyncDisposable> _owned = new();

    protected override Task<(ISenderGate, ISenderGate)> CreateAsync() => CreateWithAsync(Settings);

    protected override async Task<(ISenderGate, ISenderGate)> CreateWithAsync(SenderGateSettings settings)
    {
        var redis = await RedisProcess.StartAsync();
        _owned.Add(redis);
        var options = new RedisStoreOptions { Configuration = redis.EndPoint, Durability = RedisDurability.Aof };
        var first = new RedisQueueStore(options);
        var second = new RedisQueueStore(options);
        _owned.Insert(0, first);
        _owned.Insert(0, second);
        return (new RedisSenderGate(first, settings), new RedisSenderGate(second, settings));
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }
}
