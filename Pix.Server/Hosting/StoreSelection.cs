using Microsoft.Extensions.Logging;
using Pix.Storage;
using Pix.Storage.Quarantine;

namespace Pix.Server.Hosting;

/// <summary>Opens the storage adapter <c>Pix:Storage</c> names; callers only ever see <see cref="IQueueStore"/>.</summary>
internal static class StoreSelection
{
    public static IQueueStore Open(PixOptions options, string dataDir, ILoggerFactory logs, Pix.Storage.Regions.RegionOwnership? regions = null) =>
        StoreFactory.Create(options.Storage.Trim(), new StoreFactoryOptions
        {
            DataDir = dataDir,
            Retention = options.Retention,
            StreamIdleTimeout = options.Streams.IdleTimeout,
            DedupWindow = TimeSpan.FromHours(options.DedupWindowHours),
            RedisConfiguration = options.Redis.Configuration,
            RedisDurability = options.Redis.Durability,
            RedisWaitMilliseconds = options.Redis.WaitMilliseconds,
            Quarantine = new QuarantineLimits(options.Xml.QuarantineRetention, options.Xml.QuarantineQuotaPerSender),
            Regions = regions,
            Repair = options.Embedded.Repair,
            DedupCacheBytes = options.Embedded.DedupCacheMB * 1024L * 1024,
            SegmentBytes = SegmentBytes(options.Embedded.SegmentMB),
            StorageTimeout = TimeSpan.FromSeconds(options.Limits.StorageTimeoutSeconds),
            LoggerFactory = logs,
        });

    private static long SegmentBytes(int megabytes) => megabytes is >= 1 and <= 1024
        ? megabytes * 1024L * 1024
        : throw new ArgumentException($"Pix:Embedded:SegmentMB is {megabytes}: give a segment size from 1 to 1024 (MiB).");
}
