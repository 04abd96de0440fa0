using Microsoft.Extensions.Logging;
using Pix.Storage.Embedded;
using Pix.Storage.Memory;

namespace Pix.Storage;

/// <summary>Creates the adapter <c>Pix:Storage</c> names.</summary>
public static class StoreFactory
{
    public static readonly IReadOnlyList<string> Kinds = ["embedded", "memory"];

    public static IQueueStore Create(string kind, StoreFactoryOptions options) => kind.ToLowerInvariant() switch
    {
        "embedded" => new EmbeddedQueueStore(new EmbeddedStoreOptions
        {
            DataDir = options.DataDir,
            Retention = options.Retention,
            DedupWindow = options.DedupWindow,
            StreamIdleTimeout = options.StreamIdleTimeout,
            Logger = options.LoggerFactory.CreateLogger("Pix.Storage.Embedded"),
            Clock = options.Clock,
        }),
        "memory" => new MemoryQueueStore(options.DedupWindow, options.Clock),
        _ => throw new ArgumentException(
            $"Unknown storage '{kind}' (Pix:Storage). Known: {string.Join(", ", Kinds)}.", nameof(kind)),
    };
}
