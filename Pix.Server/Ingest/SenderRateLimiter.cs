using System.Collections.Concurrent;
using Pix.Protocol.Ids;

namespace Pix.Server.Ingest;

/// <summary>One token bucket per sending ISPB. A request takes its whole cost or nothing, and is told how long to wait.</summary>
internal sealed class SenderRateLimiter(RateLimitOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Ispb, Bucket> _buckets = new();

    public RateLimitOptions Options => options;

    /// <summary>Takes <paramref name="cost"/> tokens, or returns false with the seconds until they would be there.</summary>
    public bool TryTake(Ispb sender, double cost, out int retryAfterSeconds)
    {
        var bucket = _buckets.GetOrAdd(sender, static (_, state) => new Bucket(state.options.Capacity, state.clock.GetTimestamp()), (options, clock));
        lock (bucket)
        {
            var now = clock.GetTimestamp();
            var elapsed = (double)(now - bucket.Stamp) / clock.TimestampFrequency;
            bucket.Tokens = Math.Min(options.Capacity, bucket.Tokens + elapsed * options.RefillPerSecond);
            bucket.Stamp = now;
            if (bucket.Tokens >= cost)
            {
                bucket.Tokens -= cost;
                retryAfterSeconds = 0;
                return true;
            }
            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((cost - bucket.Tokens) / options.RefillPerSecond));
            return false;
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
    }
}
