using System.Diagnostics;

namespace Pix.Tests.Support.Redis;

/// <summary>
/// A real Redis Cluster on loopback: <c>primaries</c> primaries with <c>replicasEach</c> replicas each, every node a
/// <see cref="RedisProcess"/> (AOF fsync'd at every write), joined by <c>redis-cli --cluster create</c>. Ready only
/// once every node says <c>cluster_state:ok</c> and every replica's link to its primary is up: a fresh replica
/// syncs for a moment, and <c>WAIT 1</c> returns 0 until it has.
/// </summary>
internal sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>Long enough that two busy cores (builds, tests, Pix nodes) never make a live primary look dead; short
    /// enough that a failover drill takes seconds.</summary>
    public const int NodeTimeoutMs = 3000;

    private readonly List<RedisProcess> _nodes;

    private RedisCluster(List<RedisProcess> nodes) => _nodes = nodes;

    public IReadOnlyList<RedisProcess> Nodes => _nodes;

    /// <summary>The seeds a Pix node is given (<c>Pix:Redis:Configuration</c>): every node, so any survivor answers.</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.EndPoint));

    public static async Task<RedisCluster> StartAsync(int primaries = 3, int replicasEach = 1)
    {
        var count = primaries * (1 + replicasEach);
        var ports = FreePorts.Take(count, withBus: true);
        var nodes = new List<RedisProcess>();
        try
        {
            foreach (var started in await Task.WhenAll(ports.Select(p => RedisProcess.StartAsync(cluster: true, port: p, clusterNodeTimeoutMs: NodeTimeoutMs))))
                nodes.Add(started);
            var cluster = new RedisCluster(nodes);
            var (code, output) = Shell.Run(RedisProcess.Find("redis-cli"),
                $"--cluster create {cluster.Configuration.Replace(',', ' ')} --cluster-replicas {replicasEach} --cluster-yes");
            if (code != 0) throw new InvalidOperationException("redis-cli --cluster create failed:\n" + output);
            await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every running node reports <c>cluster_state:ok</c>, every slot has a primary, and every
    /// primary has at least one replica whose link is up.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < timeout)
        {
            last = Describe();
            if (last == "") return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The Redis Cluster was not healthy within {timeout.TotalSeconds:F0} s: {last}");
    }

    /// <summary>Empty when healthy, else what is still missing.</summary>
    private string Describe()
    {
        var primariesWithReplica = new HashSet<string>();
        foreach (var node in _nodes.Where(n => n.Running))
        {
            if (!Cli(node, "cluster info").Contains("cluster_state:ok", StringComparison.Ordinal)) return $"{node.EndPoint} is not cluster_state:ok";
            var replication = Cli(node, "info replication");
            if (!replication.Contains("role:slave", StringComparison.Ordinal)) continue;
            if (!replication.Contains("master_link_status:up", StringComparison.Ordinal)) return $"replica {node.EndPoint} has no link to its primary yet";
            primariesWithReplica.Add(Field(replication, "master_port"));
        }
        var primaries = Primaries();
        var lonely = primaries.Where(p => !primariesWithReplica.Contains(p.Port.ToString())).ToList();
        return lonely.Count == 0 ? "" : $"primary {lonely[0].EndPoint} has no replica in sync";
    }

    /// <summary>The running nodes that are primaries now (after a failover, a former replica is one).</summary>
    public List<RedisProcess> Primaries() =>
        _nodes.Where(n => n.Running && Cli(n, "info replication").Contains("role:master", StringComparison.Ordinal)).ToList();

    /// <summary>The primary that serves <paramref name="key"/>'s slot now.</summary>
    public RedisProcess PrimaryFor(string key) =>
        TryPrimaryFor(key) ?? throw new InvalidOperationException($"No live primary serves the slot of {key}.");

    /// <summary>The primary that serves <paramref name="key"/>'s slot now; null while none does (mid-failover).</summary>
    public RedisProcess? TryPrimaryFor(string key)
    {
        var any = _nodes.First(n => n.Running);
        var slot = int.Parse(Cli(any, $"cluster keyslot {key}").Trim());
        foreach (var line in Cli(any, "cluster nodes").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // <id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slot ranges...>
            var fields = line.Split(' ');
            if (!fields[2].Contains("master", StringComparison.Ordinal) || fields[2].Contains("fail", StringComparison.Ordinal)) continue;
            foreach (var range in fields.Skip(8))
            {
                if (range.StartsWith('[')) continue;
                var bounds = range.Split('-');
                var from = int.Parse(bounds[0]);
                var to = bounds.Length > 1 ? int.Parse(bounds[1]) : from;
                if (slot < from || slot > to) continue;
                var port = int.Parse(fields[1][(fields[1].IndexOf(':') + 1)..fields[1].IndexOf('@')]);
                return _nodes.Single(n => n.Port == port);
            }
        }
        return null;
    }

    /// <summary>The replicas of <paramref name="primary"/> that are running and linked.</summary>
    public List<RedisProcess> ReplicasOf(RedisProcess primary) => _nodes
        .Where(n => n != primary && n.Running)
        .Where(n =>
        {
            var replication = Cli(n, "info replication");
            return replication.Contains("role:slave", StringComparison.Ordinal) && Field(replication, "master_port") == primary.Port.ToString();
        })
        .ToList();

    public static string Cli(RedisProcess node, string command)
    {
        var (_, output) = Shell.Run(RedisProcess.Find("redis-cli"), $"-h 127.0.0.1 -p {node.Port} {command}");
        return output;
    }

    private static string Field(string info, string name)
    {
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        }
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }
}
