using System.Globalization;
using Pix.Protocol.Ids;
using Pix.Storage.Redis;
using Pix.Storage.Regions;
using StackExchange.Redis;

namespace Pix.Server.Regions;

/// <summary>
/// The disaster-recovery controller. Two regions cannot vote (neither holds a majority of primaries), so Redis Cluster
/// never promotes the survivor's replicas by itself; this does, and flips the ownership map. Every step first looks at
/// what is already true and only does what is missing, so any command can be run again, also after the controller
/// died half way; every step is printed and audited (<see cref="DrAudit"/>).
/// </summary>
internal sealed class DrController(DrRedis redis, RegionRing ring, IReadOnlyDictionary<string, string[]> regionRedis, DrAudit audit, TextWriter output)
{
    private static readonly TimeSpan PromotionTimeout = TimeSpan.FromSeconds(15);
    private readonly RedisRegionMap _map = new(redis.Multiplexer, ring);
    private readonly RedisPlacement _placement = new(ring);

    /// <summary>The region a Redis node runs in (<c>Pix:RegionRedis</c>), or null.</summary>
    public string? RegionOf(string endPoint) =>
        regionRedis.FirstOrDefault(r => r.Value.Contains(endPoint, StringComparer.OrdinalIgnoreCase)).Key;

    /// <summary><c>dr failover --from A --to B</c>: B's replicas take over A's primaries, A's ISPBs are B's at a new
    /// epoch, and B runs in single-region mode until <c>failback</c>.</summary>
    public async Task FailoverAsync(string from, string to)
    {
        Check(from, to);
        audit.Step("failover.begin", $"from {from} to {to}");
        await TakeOverAsync(from, to).ConfigureAwait(false);
        await FlipAsync(map => map.IsEvacuated(from) && map.Evacuated[from] == to ? null : map.Evacuate(from, to), $"evacuate {from} to {to}").ConfigureAwait(false);
        audit.Step("single-region.begin", $"region {to} serves alone (durable on its own replicas: degraded) until dr failback --region {from}");
        audit.Step("failover.done", $"from {from} to {to}");
    }

    /// <summary><c>dr failback --region A</c>: once A's nodes are back and in sync, its primaries return to it
    /// (a coordinated failover each: the old primary stops writes until the replica has caught up, so nothing is
    /// lost), then its ISPBs are A's again at a new epoch and single-region mode ends.</summary>
    public async Task FailbackAsync(string region)
    {
        if (!ring.Contains(region)) throw new ArgumentException($"Unknown region '{region}' (Pix:Regions is {ring}).");
        audit.Step("failback.begin", $"region {region}");
        var nodes = await ViewAsync().ConfigureAwait(false);
        foreach (var endPoint in regionRedis.GetValueOrDefault(region) ?? [])
        {
            if (await redis.TryAsync(endPoint, "PING").ConfigureAwait(false) is null)
                throw new InvalidOperationException($"Redis node {endPoint} of region {region} does not answer: failback waits until the region is healthy.");
        }
        foreach (var primary in nodes.Where(n => n.IsPrimary && n.SlotCount > 0 && !n.Failing && RegionOf(n.EndPoint) != region
                     && n.Slots.Any(s => ring.RegionOfSlot(s.First) == region)))
        {
            var candidate = await BestReplicaAsync(nodes, primary, region, requireLink: true).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No replica of {primary.EndPoint} in region {region} is linked and in sync yet; try again shortly.");
            audit.Step("failback.primary", $"{candidate} takes back the slots of {primary.EndPoint} (coordinated CLUSTER FAILOVER)");
            if (await redis.TryAsync(candidate, "CLUSTER", "FAILOVER").ConfigureAwait(false) is null)
                throw new InvalidOperationException($"{candidate} refused CLUSTER FAILOVER.");
            await WaitPrimaryAsync(candidate).ConfigureAwait(false);
        }
        await redis.RefreshAsync().ConfigureAwait(false);
        // Writes wait for two replicas again once the map flips: every shard must have them linked first, or the
        // surviving region's own PSPs would be answered 503 while the returning region's replicas resynchronize.
        await WaitReplicatedAsync().ConfigureAwait(false);
        await FlipAsync(map => map.IsEvacuated(region) ? map.Return(region) : null, $"return {region}").ConfigureAwait(false);
        audit.Step("single-region.end", $"region {region} serves its ISPBs again; writes wait for a replica in each region");
        audit.Step("failback.done", $"region {region}");
    }

    /// <summary><c>dr assign --ispb X --to R</c> (or <c>--to default</c>): the per-ISPB override.</summary>
    public async Task AssignAsync(Ispb ispb, string? region)
    {
        if (region is not null && !ring.Contains(region)) throw new ArgumentException($"Unknown region '{region}' (Pix:Regions is {ring}).");
        await FlipAsync(map => (map.Overrides.TryGetValue(ispb, out var current) ? current : null) == region ? null : map.Assign(ispb, region),
            region is null ? $"{ispb} back to its home region" : $"{ispb} to {region}").ConfigureAwait(false);
    }

    /// <summary>Every primary of region <paramref name="from"/> that serves slots is replaced by its most advanced
    /// replica in region <paramref name="to"/> (<c>CLUSTER FAILOVER TAKEOVER</c>: no election, which two regions
    /// cannot win); the other replicas there follow the new primary.</summary>
    private async Task TakeOverAsync(string from, string to)
    {
        var nodes = await ViewAsync(to).ConfigureAwait(false);
        var doomed = nodes.Where(n => n.IsPrimary && n.SlotCount > 0 && RegionOf(n.EndPoint) == from).ToList();
        if (doomed.Count == 0) audit.Step("takeover.skip", $"no primary in region {from} serves slots");
        foreach (var primary in doomed)
        {
            var candidate = await BestReplicaAsync(nodes, primary, to, requireLink: false).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No replica of {primary.EndPoint} in region {to} answers: its slots cannot be taken over.");
            audit.Step("takeover", $"{candidate} takes over the slots of {primary.EndPoint} (CLUSTER FAILOVER TAKEOVER)");
            if (await redis.TryAsync(candidate, "CLUSTER", "FAILOVER", "TAKEOVER").ConfigureAwait(false) is null)
                throw new InvalidOperationException($"{candidate} refused CLUSTER FAILOVER TAKEOVER.");
            var promoted = await WaitPrimaryAsync(candidate).ConfigureAwait(false);
            // The region's other replicas of that shard replicate the new primary (they usually follow by themselves).
            foreach (var sibling in nodes.Where(n => n.PrimaryId == primary.Id && n.EndPoint != candidate && RegionOf(n.EndPoint) == to))
            {
                await redis.TryAsync(sibling.EndPoint, "CLUSTER", "REPLICATE", promoted).ConfigureAwait(false);
            }
        }
        // Learn the new slot owners while the survivor's primaries sit out Redis's rejoin delay (a primary that was in a
        // minority waits about cluster-node-timeout before it serves again); the map flips once they do, so the nodes
        // that learn it can serve at once.
        var refreshing = redis.RefreshAsync();
        await WaitClusterOkAsync(to).ConfigureAwait(false);
        await refreshing.ConfigureAwait(false);
    }

    private async Task WaitClusterOkAsync(string region)
    {
        var deadline = DateTime.UtcNow + PromotionTimeout;
        foreach (var endPoint in regionRedis[region])
        {
            while (await redis.TryAsync(endPoint, "CLUSTER", "INFO").ConfigureAwait(false) is not { } info || !info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{endPoint} of region {region} does not say cluster_state:ok; run the command again.");
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
        audit.Step("cluster.ok", $"every Redis node of region {region} serves");
    }

    /// <summary>Waits until every primary serving slots has what <c>WAIT 2</c> needs: two replicas online and in sync
    /// (acknowledged within the last second), one of them in another region than the primary's.</summary>
    private async Task WaitReplicatedAsync()
    {
        var deadline = DateTime.UtcNow + PromotionTimeout;
        while (true)
        {
            var lacking = new List<string>();
            foreach (var primary in (await ViewAsync().ConfigureAwait(false)).Where(n => n.IsPrimary && n.SlotCount > 0 && !n.Failing))
            {
                var info = await redis.TryAsync(primary.EndPoint, "INFO", "replication").ConfigureAwait(false);
                var online = info is null ? [] : OnlineReplicas(info);
                var home = RegionOf(primary.EndPoint);
                if (online.Count < 2 || !online.Any(r => RegionOf(r) != home)) lacking.Add($"{primary.EndPoint} ({online.Count} in sync: {string.Join(", ", online)})");
            }
            if (lacking.Count == 0)
            {
                audit.Step("replicas.ok", "every primary has two replicas in sync, one in another region");
                return;
            }
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"Primaries without two replicas in sync across regions: {string.Join("; ", lacking)}; try again shortly.");
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>The replicas <c>INFO replication</c> of a primary lists as online with an acknowledgement at most a
    /// second old (<c>slaveN:ip=…,port=…,state=online,offset=…,lag=0</c>).</summary>
    internal static List<string> OnlineReplicas(string info)
    {
        var online = new List<string>();
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':');
            if (!line.StartsWith("slave", StringComparison.Ordinal) || colon < 0) continue;
            var fields = line[(colon + 1)..].Split(',').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.GetValueOrDefault("state") == "online" && int.TryParse(fields.GetValueOrDefault("lag"), CultureInfo.InvariantCulture, out var lag) && lag <= 1
                && fields.TryGetValue("ip", out var ip) && fields.TryGetValue("port", out var port))
                online.Add($"{ip}:{port}");
        }
        return online;
    }

    /// <summary>The replica of <paramref name="primary"/> in <paramref name="region"/> that has the most of its data
    /// (replication offset): with <c>WAIT 2</c> every acknowledged write reached at least one of them.</summary>
    private async Task<string?> BestReplicaAsync(List<ClusterNode> nodes, ClusterNode primary, string region, bool requireLink)
    {
        string? best = null;
        var bestOffset = -1L;
        foreach (var replica in nodes.Where(n => n.PrimaryId == primary.Id && RegionOf(n.EndPoint) == region))
        {
            var offset = await redis.ReplicationFieldAsync(replica.EndPoint, "slave_repl_offset").ConfigureAwait(false);
            if (offset is null) continue;
            if (requireLink && await redis.ReplicationFieldAsync(replica.EndPoint, "master_link_status").ConfigureAwait(false) != "up") continue;
            var value = long.Parse(offset, CultureInfo.InvariantCulture);
            if (value > bestOffset)
            {
                best = replica.EndPoint;
                bestOffset = value;
            }
        }
        return best;
    }

    /// <summary>Waits until <paramref name="endPoint"/> says it is a primary serving slots; returns its node id.</summary>
    private async Task<string> WaitPrimaryAsync(string endPoint)
    {
        var deadline = DateTime.UtcNow + PromotionTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var self = (await redis.NodesAsync(endPoint).ConfigureAwait(false))?.FirstOrDefault(n => n.EndPoint == endPoint);
            if (self is { IsPrimary: true, SlotCount: > 0 }) return self.Id;
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"{endPoint} did not become a primary within {PromotionTimeout.TotalSeconds:F0} s; run the command again.");
    }

    /// <summary>
    /// One change of the map: <paramref name="change"/> returns the next map, or null when the stored one already is
    /// what was wanted (a re-run). The fences of every ISPB whose owner changes are raised first, then the map is
    /// replaced by compare-and-set (another writer in between: read again, decide again), made durable, and pushed.
    /// </summary>
    private async Task FlipAsync(Func<OwnershipMap, OwnershipMap?> change, string what)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await _map.LoadAsync().ConfigureAwait(false);
            var next = change(current);
            var target = next ?? current;
            var moved = await MovedAsync(current, target).ConfigureAwait(false);
            foreach (var ispb in moved) await _map.RaiseFenceAsync(_placement.Prefix(ispb), target.Epoch).ConfigureAwait(false);
            if (next is null)
            {
                audit.Step("map.unchanged", $"{what}: the map at epoch {current.Epoch} already says so", current.Epoch);
            }
            else if (!await _map.ReplaceAsync(current, next).ConfigureAwait(false))
            {
                if (attempt >= 5) throw new InvalidOperationException("The ownership map kept changing under the controller; run the command again.");
                continue;
            }
            else
            {
                audit.Step("map.flip", $"{what}: epoch {current.Epoch} -> {next.Epoch}; {moved.Count} known ISPBs fenced at {next.Epoch}", next.Epoch);
            }
            await DurableAsync(target).ConfigureAwait(false);
            var reached = await _map.PublishAsync(target).ConfigureAwait(false);
            audit.Step("map.published", $"epoch {target.Epoch} pushed to the nodes of {string.Join(", ", reached)}", target.Epoch);
            return;
        }
    }

    /// <summary>Known ISPBs (every participant that had a queue or stream, the SPI, the overridden) whose owner differs
    /// between the two maps; with no change (a re-run), those the target map moved away from their home.</summary>
    private async Task<List<Ispb>> MovedAsync(OwnershipMap current, OwnershipMap target)
    {
        var db = redis.Multiplexer.GetDatabase();
        var known = (await db.SetMembersAsync("pix:{participants}:all").ConfigureAwait(false)).Select(m => Ispb.Parse(m.ToString()))
            .Append(Ispb.Spi).Concat(current.Overrides.Keys).Concat(target.Overrides.Keys).Distinct();
        return ReferenceEquals(current, target) || current.Epoch == target.Epoch
            ? known.Where(i => target.OwnerOf(i, ring.Home(i)) != ring.Home(i)).ToList()
            : known.Where(i => current.OwnerOf(i, ring.Home(i)) != target.OwnerOf(i, ring.Home(i))).ToList();
    }

    // One replica must have the fences and the map before the push: a promoted primary that then died would
    // otherwise forget them. Single-region mode: the local replica is the one that answers.
    private async Task DurableAsync(OwnershipMap map)
    {
        // Not the primaries of an evacuated region: frozen or cut off, they would only make this wait its timeout.
        foreach (var server in redis.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica
                     && !(RegionOf(s.EndPoint.ToString()!) is { } region && map.IsEvacuated(region))))
        {
            try
            {
                await server.ExecuteAsync("WAIT", 1, 2000).WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // A frozen primary of the failed region: it holds nothing the controller wrote.
            }
        }
    }

    /// <summary>The cluster as the first answering node (of <paramref name="prefer"/> first) sees it.</summary>
    private async Task<List<ClusterNode>> ViewAsync(string? prefer = null)
    {
        var order = (prefer is null ? [] : regionRedis.GetValueOrDefault(prefer) ?? []).Concat(regionRedis.Values.SelectMany(v => v));
        foreach (var endPoint in order.Distinct())
        {
            if (await redis.NodesAsync(endPoint).ConfigureAwait(false) is { } nodes) return nodes;
        }
        throw new InvalidOperationException("No Redis node of any region answers CLUSTER NODES.");
    }

    /// <summary><c>dr status</c>: the map, and every Redis node with its region, role and slots.</summary>
    public async Task StatusAsync()
    {
        OwnershipMap? map = null;
        try
        {
            map = await _map.LoadAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            output.WriteLine($"ownership map: unreadable now ({e.Message})");
        }
        if (map is not null)
        {
            output.WriteLine($"ownership map (epoch {map.Epoch}){(map.SingleRegion ? ": SINGLE-REGION MODE (degraded)" : "")}");
            output.Write(map.ToString());
        }
        var nodes = await ViewAsync().ConfigureAwait(false);
        foreach (var region in ring.Names)
        {
            var (first, last) = ring.Slots(region);
            output.WriteLine($"region {region} (home slots {first}-{last}):");
            foreach (var endPoint in regionRedis.GetValueOrDefault(region) ?? [])
            {
                var node = nodes.FirstOrDefault(n => n.EndPoint == endPoint);
                var alive = await redis.TryAsync(endPoint, "PING").ConfigureAwait(false) is not null;
                var role = node is null ? "unknown to the cluster" : node.IsPrimary ? $"primary of {node.SlotCount} slots" : $"replica of {nodes.FirstOrDefault(n => n.Id == node.PrimaryId)?.EndPoint ?? node.PrimaryId}";
                output.WriteLine($"  {endPoint}: {(alive ? "answers" : "DOES NOT ANSWER")}, {role}");
            }
        }
    }

    private void Check(string from, string to)
    {
        if (!ring.Contains(from) || !ring.Contains(to)) throw new ArgumentException($"--from and --to must be regions of Pix:Regions ({ring}).");
        if (from == to) throw new ArgumentException("--from and --to must differ.");
        if (!regionRedis.ContainsKey(from) || !regionRedis.ContainsKey(to))
            throw new ArgumentException($"Pix:RegionRedis:{from} and Pix:RegionRedis:{to} must list each region's Redis nodes.");
    }
}
