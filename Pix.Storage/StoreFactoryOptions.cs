using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pix.Storage;

/// <summary>What every adapter may need; each takes the part it uses.</summary>
public sealed class StoreFactoryOptions
{
    /// <summary>Where the embedded store keeps its files (<c>Pix:DataDir</c>).</summary>
    public string DataDir { get; init; } = "data";

    /// <summary><c>Pix:Retention</c>: acknowledged messages are deleted after this.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>Pix:Streams:IdleTimeoutSeconds</c>: idle clocks of streams recovered after a restart start with it.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Pix:Redis:Configuration</c>: the cluster's seeds, as StackExchange.Redis reads them.</summary>
    public string RedisConfiguration { get; init; } = "";

    /// <summary><c>Pix:Redis:Durability</c>: <c>replica</c> (default), <c>aof</c> or <c>none</c>.</summary>
    public string RedisDurability { get; init; } = "replica";

    /// <summary><c>Pix:Redis:WaitMilliseconds</c>: how long a write waits for its replica before 503.</summary>
    public int RedisWaitMilliseconds { get; init; } = 1000;

    /// <summary><c>Pix:Xml:QuarantineRetention</c> and <c>Pix:Xml:QuarantineQuotaPerSender</c>.</summary>
    public Quarantine.QuarantineLimits Quarantine { get; init; } = Pix.Storage.Quarantine.QuarantineLimits.Default;

    /// <summary><c>Pix:Region</c> and <c>Pix:Regions</c>: the node's view of region ownership; only the Redis store has
    /// regions, the others refuse it.</summary>
    public Regions.RegionOwnership? Regions { get; init; }

    /// <summary><c>Pix:Limits:StorageTimeoutSeconds</c>: how long a store call may wait for the disk before 503.</summary>
    public TimeSpan StorageTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Pix:Embedded:Repair</c>: set damaged log records aside instead of refusing to open.</summary>
    public bool Repair { get; init; }

    /// <summary><c>Pix:Embedded:DedupCacheMB</c>: memory for the embedded dedup index's newest keys.</summary>
    public long DedupCacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary><c>Pix:Embedded:SegmentMB</c>: the embedded log's segment size, and the log a checkpoint covers.</summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
