using Pix.Protocol.Ids;
using Pix.Storage.Senders;
using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>The sender gate shared by every node: the bucket and the isolation window live on the sender's slot and
/// change in one script, so no node can let a sender past its rate or out of isolation. Isolated senders are also
/// listed in one set for the operator's view.</summary>
public sealed class RedisSenderGate(RedisQueueStore store, SenderGateSettings settings) : ISenderGate
{
    private static readonly RedisKey IsolatedIndex = "pix:{isolation}:senders";

    public async ValueTask<SenderDecision> AdmitAsync(Ispb sender, double cost, int messages, int failures, CancellationToken cancellationToken = default)
    {
        // The sender's state is its region's to change (regions: else 421, or fenced by the script).
        var epoch = store.EpochFor(sender);
        var prefix = store.Prefix(sender);
        var result = await store.EvaluateAsync(RedisScripts.Admit, RedisKeys.Route(prefix),
        [
            prefix, cost, messages, failures, settings.Capacity, settings.RefillPerSecond, settings.WindowSeconds,
            settings.IsolateAboveRatio, settings.IsolateMinMessages, sender == Ispb.Spi ? "1" : "0", epoch,
        ]).ConfigureAwait(false);
        if ((long)result[0] == 2) throw store.Fenced(sender);
        store.Known(sender);
        if ((long)result[0] == 0) return SenderDecision.Refused((int)(long)result[1]);
        var newly = (long)result[2] == 1;
        if (newly) await store.Run(db => db.SetAddAsync(IsolatedIndex, sender.ToString())).ConfigureAwait(false);
        return new SenderDecision(true, 0, (long)result[1] == 1, newly);
    }

    public async ValueTask<bool> ReleaseAsync(Ispb sender, CancellationToken cancellationToken = default)
    {
        var prefix = store.Prefix(sender);
        var wasIsolated = await store.Run(db => db.KeyDeleteAsync(prefix + "isolated")).ConfigureAwait(false);
        await store.Run(db => db.KeyDeleteAsync(prefix + "window")).ConfigureAwait(false);
        await store.Run(db => db.SetRemoveAsync(IsolatedIndex, sender.ToString())).ConfigureAwait(false);
        return wasIsolated;
    }

    public async ValueTask<IReadOnlyList<(Ispb Sender, DateTimeOffset Since)>> IsolatedAsync(CancellationToken cancellationToken = default)
    {
        var senders = await store.Run(db => db.SetMembersAsync(IsolatedIndex)).ConfigureAwait(false);
        var isolated = new List<(Ispb, DateTimeOffset)>();
        foreach (var member in senders)
        {
            var sender = Ispb.Parse(member.ToString());
            var since = await store.Run(db => db.StringGetAsync(store.Prefix(sender) + "isolated")).ConfigureAwait(false);
            if (since.HasValue) isolated.Add((sender, DateTimeOffset.FromUnixTimeMilliseconds((long)since)));
        }
        return isolated;
    }
}
