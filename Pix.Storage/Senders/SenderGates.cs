using Pix.Storage.Redis;

namespace Pix.Storage.Senders;

/// <summary>The sender gate that goes with a store: shared through Redis when the store is shared, in process otherwise.</summary>
public static class SenderGates
{
    public static ISenderGate For(IQueueStore store, SenderGateSettings settings, TimeProvider clock) => store switch
    {
        RedisQueueStore redis => new RedisSenderGate(redis, settings),
        _ => new InProcessSenderGate(settings, clock),
    };
}
