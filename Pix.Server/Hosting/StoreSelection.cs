using Microsoft.Extensions.Logging;
using Pix.Storage;
using Pix.Storage.Memory;

namespace Pix.Server.Hosting;

/// <summary>Opens the storage adapter <c>Pix:Storage</c> names; callers only ever see <see cref="IQueueStore"/>.</summary>
internal static class StoreSelection
{
    public static IQueueStore Open(PixOptions options, string dataDir, ILoggerFactory logs)
    {
        var window = TimeSpan.FromHours(options.DedupWindowHours);
        return options.Storage.Trim().ToLowerInvariant() switch
        {
            "memory" => new MemoryQueueStore(window),
            _ => throw new ArgumentException($"Pix:Storage '{options.Storage}' is not known; use memory, embedded or redis."),
        };
    }
}
