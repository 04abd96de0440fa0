using Pix.Storage.Regions;

namespace Pix.Server.Regions;

/// <summary>
/// <c>dr watch --after S</c>: health-checks every region twice a second (each Redis node answers <c>PING</c>, each Pix
/// node's operator listener answers <c>/healthz</c>) and, when every Redis node and every Pix node of a region has
/// failed for <c>S</c> seconds while another region is healthy, runs the failover to that region by itself. It never
/// fails back on its own: a region that comes back is reported, and an operator runs <c>dr failback</c> once satisfied
/// it is whole (a region flapping between healthy and not must not drag the PSPs back and forth).
/// </summary>
internal sealed class DrWatch(DrController controller, DrRedis redis, RegionRing ring, IReadOnlyDictionary<string, string[]> regionRedis,
    IReadOnlyDictionary<string, string[]> regionNodes, DrAudit audit, OwnershipMap? map)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    // A healthy Redis answers PING in well under a millisecond and a node /healthz in a few: half a second of silence
    // is a failed check, even on a busy host.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMilliseconds(500);
    private readonly HashSet<string> _evacuated = map?.Evacuated.Keys.ToHashSet() ?? [];
    private readonly Dictionary<string, DateTime> _failingSince = [];
    private readonly HashSet<string> _reportedBack = [];
    private readonly HttpClient _http = new() { Timeout = CheckTimeout };

    public async Task RunAsync(TimeSpan after, CancellationToken stop)
    {
        audit.Step("watch.begin", $"regions {ring}; failover after {after.TotalSeconds:F1} s of failed health checks");
        while (!stop.IsCancellationRequested)
        {
            // A region fails from the moment a check that then got no answer was sent.
            var now = DateTime.UtcNow;
            var checks = ring.Names.ToDictionary(r => r, HealthyAsync);
            await Task.WhenAll(checks.Values).ConfigureAwait(false);
            foreach (var (region, check) in checks)
            {
                if (check.Result)
                {
                    _failingSince.Remove(region);
                    if (_evacuated.Contains(region) && _reportedBack.Add(region))
                        audit.Step("watch.back", $"region {region} answers health checks again; run dr failback --region {region} once it is whole");
                    continue;
                }
                _reportedBack.Remove(region);
                if (!_failingSince.TryGetValue(region, out var since)) _failingSince[region] = since = now;
                if (_evacuated.Contains(region) || DateTime.UtcNow - since < after) continue;
                var survivor = ring.Names.FirstOrDefault(r => r != region && checks[r].Result && !_evacuated.Contains(r));
                if (survivor is null) continue;
                audit.Step("watch.detected", $"region {region} failed every health check for {(DateTime.UtcNow - since).TotalSeconds:F1} s; failing over to {survivor}");
                try
                {
                    await controller.FailoverAsync(region, survivor).ConfigureAwait(false);
                    _evacuated.Add(region);
                }
                catch (Exception e) when (e is InvalidOperationException or StackExchange.Redis.RedisException or TimeoutException)
                {
                    // Every step is idempotent: the next round tries again from where this one stopped.
                    audit.Step("watch.failover-failed", $"{e.Message}; trying again");
                }
            }
            await Task.Delay(Interval, stop).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        audit.Step("watch.end", "stopped");
    }

    private async Task<bool> HealthyAsync(string region)
    {
        var redisUp = await AnyAsync(regionRedis.GetValueOrDefault(region) ?? [], async e => await redis.TryAsync(CheckTimeout, e, "PING").ConfigureAwait(false) is not null).ConfigureAwait(false);
        var nodes = regionNodes.GetValueOrDefault(region) ?? [];
        if (nodes.Length == 0) return redisUp;
        var nodesUp = await AnyAsync(nodes, async url =>
        {
            try
            {
                using var response = await _http.GetAsync(url.TrimEnd('/') + "/healthz").ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }).ConfigureAwait(false);
        // A region is failed only when neither its shards nor its nodes answer: one of the two alone is an outage
        // the region handles itself (a primary dies: its local replica takes over; a node dies: HAProxy skips it).
        return redisUp || nodesUp;
    }

    private static async Task<bool> AnyAsync(string[] items, Func<string, Task<bool>> check) =>
        items.Length > 0 && (await Task.WhenAll(items.Select(check)).ConfigureAwait(false)).Any(ok => ok);
}
