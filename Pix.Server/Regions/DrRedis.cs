using System.Net;
using StackExchange.Redis;

namespace Pix.Server.Regions;

/// <summary>
/// The controller's connection to every Redis node of every region: commands addressed to one node (<c>CLUSTER
/// NODES</c>, <c>INFO</c>, <c>CLUSTER FAILOVER</c>) with a short timeout, since a node of a failed region may be frozen
/// (it accepts connections and never answers), and cluster-routed keys for the map and the fences.
/// </summary>
internal sealed class DrRedis : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1.5);
    private readonly ConnectionMultiplexer _redis;

    private DrRedis(ConnectionMultiplexer redis) => _redis = redis;

    public IConnectionMultiplexer Multiplexer => _redis;

    public static async Task<DrRedis> ConnectAsync(IEnumerable<string> endPoints)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            // CLUSTER, INFO: the controller administers the cluster.
            AllowAdmin = true,
            ConnectTimeout = 1000,
            SyncTimeout = 1500,
            AsyncTimeout = 1500,
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        foreach (var endPoint in endPoints.Distinct()) configuration.EndPoints.Add(endPoint);
        return new DrRedis(await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false));
    }

    /// <summary>The reply as text, or null when the node did not answer in time (or refused).</summary>
    public Task<string?> TryAsync(string endPoint, string command, params object[] args) => TryAsync(CommandTimeout, endPoint, command, args);

    /// <summary>The same, with its own timeout (health checks want an answer sooner).</summary>
    public async Task<string?> TryAsync(TimeSpan timeout, string endPoint, string command, params object[] args)
    {
        try
        {
            var server = _redis.GetServer(Parse(endPoint));
            var result = await server.ExecuteAsync(command, args).WaitAsync(timeout).ConfigureAwait(false);
            return result.ToString();
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The cluster as <paramref name="endPoint"/> sees it; null when it does not answer.</summary>
    public async Task<List<ClusterNode>?> NodesAsync(string endPoint) =>
        await TryAsync(endPoint, "CLUSTER", "NODES").ConfigureAwait(false) is { } text ? ClusterNode.Parse(text) : null;

    /// <summary>A field of <c>INFO replication</c> on <paramref name="endPoint"/>; null when it does not answer.</summary>
    public async Task<string?> ReplicationFieldAsync(string endPoint, string field)
    {
        if (await TryAsync(endPoint, "INFO", "replication").ConfigureAwait(false) is not { } info) return null;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return line[(field.Length + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Learns the slots' owners again (after a takeover).</summary>
    public Task RefreshAsync() => _redis.ConfigureAsync();

    private static EndPoint Parse(string endPoint) =>
        EndPointCollection.TryParse(endPoint) ?? throw new ArgumentException($"'{endPoint}' is not host:port.");

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
