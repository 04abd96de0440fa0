using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pix.Storage.Redis;

/// <summary><c>Pix:Redis:*</c>: where the cluster is and how durable a write must be before it is answered.</summary>
public sealed class RedisStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string listing cluster seeds, e.g. <c>127.0.0.1:7100,127.0.0.1:7101</c>.</summary>
    public required string Configuration { get; init; }

    public RedisDurability Durability { get; init; } = RedisDurability.Replica;

    /// <summary>How long a write waits for its replica (<c>WAIT</c>) before it is answered 503.</summary>
    public int WaitMilliseconds { get; init; } = 1000;

    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often every node looks for idle streams (the reaper is idempotent: each expires once).</summary>
    public TimeSpan ReapInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public Pix.Storage.Quarantine.QuarantineLimits Quarantine { get; init; } = Pix.Storage.Quarantine.QuarantineLimits.Default;

    /// <summary>With regions (<c>Pix:Region</c>): the node's view of the ownership map, which this store loads, keeps
    /// current and fences every change of a participant's state with; null without regions.</summary>
    public Pix.Storage.Regions.RegionOwnership? Regions { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
