using Pix.Tests.Support;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Cluster;

/// <summary>
/// One Redis Cluster (3 primaries, 3 replicas, AOF fsync'd at every write) and two Pix nodes on it behind HAProxy,
/// shared by the cross-node tests: each test uses its own ISPBs, so they do not see each other's messages. The
/// durability is the default (<c>replica</c>: every 201, claim and acknowledgement waited for <c>WAIT 1</c>).
/// Short times so the tests run quickly: a 1.5 s long poll, so a lease of 3.5 s (long poll + the engine's 2 s
/// margin), inside the 4 s idle timeout.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const double LongPollSeconds = 1.5;
    public const double IdleTimeoutSeconds = 4;

    internal static readonly (string Key, string Value)[] Settings =
    [
        ("Pix:Streams:LongPollSeconds", "1.5"),
        ("Pix:Streams:IdleTimeoutSeconds", "4"),
        ("Pix:RateLimit:Capacity", "100000"),
        ("Pix:RateLimit:RefillPerSecond", "100000"),
        // The engine's expiry lines are how a test counts which node expired a stream.
        ("Logging:LogLevel:Pix.Server.Streams.StreamEngine", "Information"),
    ];

    private RedisCluster? _redis;
    private PixNodes? _nodes;

    internal RedisCluster Redis => _redis!;
    internal PixNodes Nodes => _nodes!;
    internal PixServerProcess A => Nodes.Node(0);
    internal PixServerProcess B => Nodes.Node(1);

    public async Task InitializeAsync()
    {
        _redis = await RedisCluster.StartAsync();
        _nodes = await PixNodes.StartAsync(_redis, 2, Settings);
    }

    public async Task DisposeAsync()
    {
        if (_nodes is not null) await _nodes.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Redis Cluster";
}
