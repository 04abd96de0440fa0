using Microsoft.Extensions.Logging;
using Pix.Storage.Embedded;
using Pix.Storage.Memory;
using Pix.Storage.Redis;

namespace Pix.Storage;

/// <summary>Creates the adapter <c>Pix:Storage</c> names.</summary>
public static class StoreFactory
{
    public static readonly IReadOnlyList<string> Kinds = ["embedded", "memory", "redis"];

    /// <summary>Whether the store of this kind talks to its data over sockets (Redis): a caller that waits for it
    /// synchronously needs those sockets' completions to run on some other thread.</summary>
    public static bool UsesSockets(string kind) => kind.Trim().Equals("redis", StringComparison.OrdinalIgnoreCase);

    public static IQueueStore Create(string kind, StoreFactoryOptions options)
    {
        if (options.Regions is not null && !kind.Equals("redis", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Pix:Region needs Pix:Storage redis: the {kind} store has no regions (one node's files cannot be owned by two regions). Remove Pix:Region, or use the Redis store.");
        return Open(kind, options);
    }

    private static IQueueStore Open(string kind, StoreFactoryOptions options) => kind.ToLowerInvariant() switch
    {
        "embedded" => new EmbeddedQueueStore(new EmbeddedStoreOptions
        {
            DataDir = options.DataDir,
            Retention = options.Retention,
            DedupWindow = options.DedupWindow,
            StreamIdleTimeout = options.StreamIdleTimeout,
            Quarantine = options.Quarantine,
            Repair = options.Repair,
            DedupCacheBytes = options.DedupCacheBytes,
            SegmentBytes = options.SegmentBytes,
            CheckpointBytes = options.SegmentBytes,
            WriteTimeout = options.StorageTimeout,
            Logger = options.LoggerFactory.CreateLogger("Pix.Storage.Embedded"),
            Clock = options.Clock,
        }),
        "memory" => new MemoryQueueStore(options.DedupWindow, options.Clock, options.Quarantine),
        "redis" => new RedisQueueStore(new RedisStoreOptions
        {
            Configuration = string.IsNullOrWhiteSpace(options.RedisConfiguration)
                ? throw new ArgumentException("Pix:Storage redis needs Pix:Redis:Configuration (the cluster's seeds, e.g. 127.0.0.1:7100,127.0.0.1:7101).")
                : options.RedisConfiguration,
            Durability = Enum.TryParse<RedisDurability>(options.RedisDurability, ignoreCase: true, out var durability)
                ? durability
                : throw new ArgumentException($"Unknown Pix:Redis:Durability '{options.RedisDurability}'. Known: replica, aof, none."),
            WaitMilliseconds = options.RedisWaitMilliseconds,
            DedupWindow = options.DedupWindow,
            Quarantine = options.Quarantine,
            Regions = options.Regions,
            Logger = options.LoggerFactory.CreateLogger("Pix.Storage.Redis"),
        }),
        _ => throw new ArgumentException(
            $"Unknown storage '{kind}' (Pix:Storage). Known: {string.Join(", ", Kinds)}.", nameof(kind)),
    };
}
