using Pix.Storage.Regions;
using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>
/// The ownership map in Redis, shared by the nodes and the disaster-recovery controller: the map itself (one string,
/// <see cref="OwnershipMap"/>'s text, replaced only by compare-and-set), each ISPB's fence (the epoch at which it last
/// changed owner, on the ISPB's own slot, where every script that changes its state compares the caller's epoch), and
/// one sharded channel per region, on a slot of that region's range, on which every new map is published: a node
/// listens on its own region's channel, so the push reaches it while its region's primaries are up, whatever happened
/// to the other region.
/// </summary>
public sealed class RedisRegionMap(IConnectionMultiplexer redis, RegionRing ring)
{
    public static readonly RedisKey MapKey = "pix:{regions}:map";

    private const string ReplaceScript = """
        local current = redis.call('GET', KEYS[1])
        if (current or '') ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2])
        return 1
        """;

    // Only ever raised: a controller re-run (or a slower one) never lowers a fence.
    private const string RaiseScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
        return math.max(current, tonumber(ARGV[1]))
        """;

    /// <summary>The channel on which <paramref name="region"/>'s nodes hear of new maps.</summary>
    public RedisChannel Channel(string region) => RedisChannel.Sharded("pix:{" + ring.Tag(region, "regions") + "}:map");

    /// <summary>The map, creating the initial one (every ISPB at home, epoch 1) if there is none yet.</summary>
    public async Task<OwnershipMap> LoadAsync()
    {
        var db = redis.GetDatabase();
        var text = (string?)await db.StringGetAsync(MapKey).ConfigureAwait(false);
        if (text is null)
        {
            await db.StringSetAsync(MapKey, OwnershipMap.Initial.ToString(), when: When.NotExists).ConfigureAwait(false);
            text = (string?)await db.StringGetAsync(MapKey).ConfigureAwait(false);
        }
        return OwnershipMap.Parse(text ?? throw new InvalidOperationException($"{MapKey} vanished while it was created."));
    }

    /// <summary>Replaces <paramref name="expected"/> with <paramref name="next"/>; false when another writer changed
    /// the map in between (the caller reads it again and decides again).</summary>
    public async Task<bool> ReplaceAsync(OwnershipMap expected, OwnershipMap next)
    {
        var done = (long)await redis.GetDatabase().ScriptEvaluateAsync(ReplaceScript, [MapKey], [expected.ToString(), next.ToString()]).ConfigureAwait(false);
        return done == 1;
    }

    /// <summary>Raises the fence of the participant whose keys start with <paramref name="prefix"/> to at least
    /// <paramref name="epoch"/>; returns the fence now.</summary>
    public async Task<long> RaiseFenceAsync(string prefix, long epoch) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(RaiseScript, [prefix + "fence"], [epoch]).ConfigureAwait(false);

    /// <summary>Tells every region's nodes about <paramref name="map"/>; a region whose primary is away is skipped
    /// (its nodes load the map when they next need it). Returns the regions reached.</summary>
    public async Task<List<string>> PublishAsync(OwnershipMap map)
    {
        var reached = new List<string>();
        foreach (var region in ring.Names)
        {
            try
            {
                await redis.GetSubscriber().PublishAsync(Channel(region), map.ToString()).ConfigureAwait(false);
                reached.Add(region);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Best effort: the map in Redis is the truth, the push only makes nodes learn it sooner.
            }
        }
        return reached;
    }
}
