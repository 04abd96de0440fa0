using System.Diagnostics;
using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>
/// The store's round trip as operators see it: every few seconds a <c>PING</c> to each primary of the cluster, off
/// the request path. <see cref="RoundTrip"/> is the slowest primary's answer (a participant lives on one shard, so
/// one slow shard is what its PSPs feel); <see cref="Reachable"/> is false when a primary did not answer at all.
/// Exported as <c>pix_storage_redis_round_trip_seconds</c> and <c>pix_storage_redis_reachable</c>.
/// </summary>
public sealed class RedisProbe : IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private readonly ConnectionMultiplexer _redis;
    private readonly Timer _timer;
    private int _probing;
    private long _roundTripTicks;
    private volatile bool _reachable = true;

    internal RedisProbe(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _timer = new Timer(_ => _ = ProbeAsync(), null, TimeSpan.Zero, Every);
    }

    /// <summary>The slowest primary's PING at the last probe (zero before the first).</summary>
    public TimeSpan RoundTrip => TimeSpan.FromTicks(Volatile.Read(ref _roundTripTicks));

    /// <summary>Every primary answered the last probe.</summary>
    public bool Reachable => _reachable;

    private async Task ProbeAsync()
    {
        if (Interlocked.Exchange(ref _probing, 1) != 0) return;
        try
        {
            var slowest = TimeSpan.Zero;
            var reachable = true;
            var primaries = 0;
            foreach (var endpoint in Primaries())
            {
                primaries++;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    await _redis.GetServer(endpoint).PingAsync().WaitAsync(Every).ConfigureAwait(false);
                    var took = Stopwatch.GetElapsedTime(started);
                    if (took > slowest) slowest = took;
                }
                catch (Exception)
                {
                    // Whatever the client throws (connection, timeout, a node it no longer knows): not reachable.
                    reachable = false;
                }
            }
            _reachable = reachable && primaries > 0;
            Volatile.Write(ref _roundTripTicks, slowest.Ticks);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    // The nodes that own slots, as the freshest view the client holds says: each connected node keeps the CLUSTER
    // NODES it last answered, and after a failover only some were asked again; the promoted replica's config epoch
    // is the highest, so the view holding the highest epoch is the newest. A primary that died and lost its slots to
    // a promoted replica then no longer counts. A single redis-server (no cluster) is its own primary. No CLUSTER
    // NODES of our own: that is an admin command.
    private IEnumerable<System.Net.EndPoint> Primaries()
    {
        ClusterConfiguration? freshest = null;
        var freshestEpoch = -1L;
        foreach (var endpoint in _redis.GetEndPoints())
        {
            var server = _redis.GetServer(endpoint);
            if (!server.IsConnected) continue;
            if (server.ServerType != ServerType.Cluster) return server.IsReplica ? [] : [endpoint];
            if (server.ClusterConfiguration is not { } cluster) continue;
            var epoch = cluster.Nodes.Select(ConfigEpoch).DefaultIfEmpty(0).Max();
            if (epoch > freshestEpoch) (freshest, freshestEpoch) = (cluster, epoch);
        }
        if (freshest is null) return _redis.GetEndPoints(); // no view yet: every configured endpoint counts
        return freshest.Nodes.Where(n => !n.IsReplica && n.Slots.Count > 0 && n.EndPoint is not null).Select(n => n.EndPoint!).ToList();
    }

    // CLUSTER NODES fields: id, address, flags, primary, ping-sent, pong-recv, config-epoch, link-state, slots...
    private static long ConfigEpoch(ClusterNode node)
    {
        var fields = node.Raw.Split(' ');
        return fields.Length > 6 && long.TryParse(fields[6], out var epoch) ? epoch : 0;
    }

    public void Dispose() => _timer.Dispose();
}
