using System.Diagnostics;
using Pix.Storage.Regions;

namespace Pix.Tests.Support.Redis;

/// <summary>
/// A real Redis Cluster split over two regions on loopback, laid out as docs/regions.md says a deployment must be:
/// one shard per region, its primary and one replica in the region, two more replicas in the other region (so
/// <c>WAIT 2</c> always includes the other region, and after a failover each region still has a replica of every
/// shard). Slots [0, 8191] are the first region's, [8192, 16383] the second's. Built by hand (<c>CLUSTER
/// ADDSLOTSRANGE</c>, <c>MEET</c>, <c>REPLICATE</c>): <c>redis-cli --cluster create</c> cannot place replicas by region.
/// <see cref="Freeze"/> stops every Redis process of a region with SIGSTOP: the other side sees it exactly as a
/// partition (connections open, nothing answers).
/// </summary>
internal sealed class RegionCluster : IAsyncDisposable
{
    private readonly Dictionary<string, List<RedisProcess>> _byRegion;

    private RegionCluster(RegionRing ring, Dictionary<string, List<RedisProcess>> byRegion)
    {
        Ring = ring;
        _byRegion = byRegion;
    }

    public RegionRing Ring { get; }

    public IEnumerable<RedisProcess> Nodes => _byRegion.Values.SelectMany(n => n);

    /// <summary>The Redis processes that run in <paramref name="region"/> (its shard's primary and local replica, and
    /// two replicas of the other region's shard).</summary>
    public IReadOnlyList<RedisProcess> In(string region) => _byRegion[region];

    /// <summary><c>Pix:RegionRedis:{region}</c>.</summary>
    public string EndPointsOf(string region) => string.Join(",", In(region).Select(n => n.EndPoint));

    /// <summary><c>Pix:Redis:Configuration</c>: every node.</summary>
    public string Configuration => string.Join(",", Nodes.Select(n => n.EndPoint));

    public static async Task<RegionCluster> StartAsync(string first = "sp", string second = "us")
    {
        var ring = new RegionRing([first, second]);
        var ports = FreePorts.Take(8, withBus: true);
        var started = await Task.WhenAll(ports.Select(p => RedisProcess.StartAsync(cluster: true, port: p, clusterNodeTimeoutMs: RedisCluster.NodeTimeoutMs)));
        // Per shard: [primary, local replica] in its region, [two replicas] in the other.
        var shards = new[] { started[0..4], started[4..8] };
        var byRegion = new Dictionary<string, List<RedisProcess>>
        {
            [first] = [shards[0][0], shards[0][1], shards[1][2], shards[1][3]],
            [second] = [shards[1][0], shards[1][1], shards[0][2], shards[0][3]],
        };
        var cluster = new RegionCluster(ring, byRegion);
        try
        {
            foreach (var node in started)
            {
                // Replicas stay where they are put (a replica migrating to another shard would change the layout).
                Cli(node, "config set cluster-allow-replica-migration no");
            }
            for (var s = 0; s < 2; s++)
            {
                var (low, high) = ring.Slots(s == 0 ? first : second);
                Expect(Cli(shards[s][0], $"cluster addslotsrange {low} {high}"), "OK");
            }
            foreach (var node in started.Skip(1)) Expect(Cli(node, $"cluster meet 127.0.0.1 {started[0].Port}"), "OK");
            await WaitAsync(() => started.All(n => Known(n) == 8), "the nodes did not all meet");
            for (var s = 0; s < 2; s++)
            {
                var primaryId = Cli(shards[s][0], "cluster myid").Trim();
                foreach (var replica in shards[s][1..]) Expect(Cli(replica, $"cluster replicate {primaryId}"), "OK");
            }
            await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every running, unfrozen node says <c>cluster_state:ok</c> and every replica's link is up.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout) =>
        await WaitAsync(() => Nodes.All(n =>
        {
            if (!Cli(n, "cluster info").Contains("cluster_state:ok", StringComparison.Ordinal)) return false;
            var replication = Cli(n, "info replication");
            return replication.Contains("role:master", StringComparison.Ordinal) || replication.Contains("master_link_status:up", StringComparison.Ordinal);
        }), "the region cluster is not healthy", timeout);

    /// <summary>SIGSTOP every Redis process of <paramref name="region"/>.</summary>
    public void Freeze(string region)
    {
        foreach (var node in In(region)) node.Freeze();
    }

    public void Thaw(string region)
    {
        foreach (var node in In(region)) node.Thaw();
    }

    /// <summary>The endpoint of the node that says it is primary of <paramref name="slot"/> (asked of the nodes of
    /// <paramref name="askIn"/>).</summary>
    public string? PrimaryOfSlot(int slot, string askIn)
    {
        foreach (var node in In(askIn))
        {
            foreach (var line in Cli(node, "cluster nodes").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Trim().Split(' ');
                if (!fields[2].Contains("master", StringComparison.Ordinal)) continue;
                foreach (var range in fields.Skip(8).Where(r => !r.StartsWith('[')))
                {
                    var bounds = range.Split('-').Select(int.Parse).ToArray();
                    if (slot >= bounds[0] && slot <= bounds[^1]) return fields[1][..fields[1].IndexOf('@')];
                }
            }
        }
        return null;
    }

    private static int Known(RedisProcess node) =>
        Cli(node, "cluster nodes").Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.Contains("handshake", StringComparison.Ordinal));

    private static string Cli(RedisProcess node, string command) => RedisCluster.Cli(node, command);

    private static void Expect(string reply, string expected)
    {
        if (!reply.Contains(expected, StringComparison.Ordinal)) throw new InvalidOperationException($"Redis answered '{reply.Trim()}', not {expected}.");
    }

    private static async Task WaitAsync(Func<bool> condition, string failure, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30))) throw new TimeoutException(failure);
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}
