using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Regions;
using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>
/// Regions: every step that changes a participant's streams or sender state first asks the node's map whether this
/// region serves the participant (else <see cref="MisdirectedException"/>, nothing sent to Redis), then passes the
/// map's epoch to the script, which refuses it when the participant's fence is higher (the map changed and this node
/// has not heard). The map is loaded at start, pushed on the region's channel at every change, and read again when a
/// connection comes back or a fence refused a step.
/// </summary>
public sealed partial class RedisQueueStore
{
    /// <summary>The scripts' status for a step refused by the participant's fence.</summary>
    private const long Fence = 3;

    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(1);
    private Timer? _stalls;
    private long _lastTick = System.Diagnostics.Stopwatch.GetTimestamp();

    // A process that did not run for a while (frozen, a host suspended, a long pause) may have missed pushes while
    // its connections stayed open: the map it holds cannot be trusted, so it reads it again once it runs again. This
    // timer reads nothing from Redis unless a tick came seconds late.
    private void NoticeStall()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var gap = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastTick, now), now);
        if (gap < StallCheck * 4) return;
        LogStalled(gap.TotalSeconds);
        _ = _regions!.RefreshAsync(TimeSpan.Zero);
    }

    /// <summary>The epoch this node decides <paramref name="ispb"/> by: 0 without regions; throws when another region
    /// serves it, or (503) while no map is loaded yet.</summary>
    internal long EpochFor(Ispb ispb)
    {
        if (_regions is null) return 0;
        var map = _regions.Current ?? throw new StoreUnavailableException("The region ownership map is not loaded yet.");
        if (!_regions.Serves(map, ispb))
            throw new MisdirectedException(ispb, $"{ispb} is served by region {map.OwnerOf(ispb, _regions.Home(ispb))} at epoch {map.Epoch}.");
        return map.Epoch;
    }

    /// <summary>A script refused the step: the participant changed owner at an epoch this node does not know yet.</summary>
    internal MisdirectedException Fenced(Ispb ispb)
    {
        _ = _regions!.RefreshAsync(TimeSpan.Zero);
        LogFenced(ispb.ToString(), _regions.Current?.Epoch ?? 0);
        return new MisdirectedException(ispb, $"{ispb} changed owner after epoch {_regions.Current?.Epoch}: this node's map is behind.");
    }

    // Loads the map (until it can), then listens on this region's channel. A subscription that fails is made again a
    // second later, as the wake-ups' are; the map in Redis stays the truth in between.
    private async Task FollowMapAsync(RegionOwnership regions, RedisRegionMap map)
    {
        while (!_closing.IsCancellationRequested && regions.Current is null)
        {
            await regions.RefreshAsync(TimeSpan.Zero).ConfigureAwait(false);
            if (regions.Current is null) await Pause().ConfigureAwait(false);
        }
        var channel = map.Channel(regions.Region);
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                await _redis.GetSubscriber().SubscribeAsync(channel, (_, message) => OnMapPushed(regions, message)).ConfigureAwait(false);
                // Anything published before the subscription took hold is read now.
                await regions.RefreshAsync(TimeSpan.Zero).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed("the ownership map", ex.Message);
                await Pause().ConfigureAwait(false);
            }
        }
    }

    private Task Pause() => Task.Delay(SubscribeRetry, _closing.Token).ContinueWith(static _ => { }, TaskScheduler.Default);

    private void OnMapPushed(RegionOwnership regions, RedisValue message)
    {
        OwnershipMap map;
        try
        {
            map = OwnershipMap.Parse(message.ToString());
        }
        catch (FormatException e)
        {
            // Never act on half a map: read the stored one instead.
            LogBadMap(e.Message);
            _ = regions.RefreshAsync(TimeSpan.Zero);
            return;
        }
        _ = ApplyPushedAsync(regions, map);
    }

    private async Task ApplyPushedAsync(RegionOwnership regions, OwnershipMap map)
    {
        await PrepareAsync(map).ConfigureAwait(false);
        regions.Apply(map);
    }

    private async Task<OwnershipMap> LoadMapAsync(CancellationToken cancellationToken)
    {
        OwnershipMap map;
        try
        {
            map = await Guard(_regionMap!.LoadAsync()).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            // The map's slot may have moved in a failover this node missed (its push too): the old primary, frozen,
            // keeps the connection open and never answers, so every later read would time out the same way. Learn
            // the cluster's current slot owners, then read once more.
            await ReconfigureAsync().ConfigureAwait(false);
            map = await Guard(_regionMap!.LoadAsync()).ConfigureAwait(false);
        }
        await PrepareAsync(map).ConfigureAwait(false);
        return map;
    }

    // A failover moved primaries: learn the new slot owners before the new map lets a request through, or its first
    // command goes to the old primary, which (frozen or cut off) never answers and never closes the connection.
    private async Task PrepareAsync(OwnershipMap map)
    {
        if (_regions!.Current is { } current && current.Epoch < map.Epoch && !SameEvacuations(current, map)) await ReconfigureAsync().ConfigureAwait(false);
    }

    private void OnMapChanged(OwnershipMap? old, OwnershipMap map) =>
        LogMap(map.Epoch, map.SingleRegion ? "single-region mode: " + string.Join(", ", map.Evacuated.Select(e => $"{e.Key} served by {e.Value}")) : "every region serves its own", map.Overrides.Count);

    private static bool SameEvacuations(OwnershipMap a, OwnershipMap b) =>
        a.Evacuated.Count == b.Evacuated.Count && a.Evacuated.All(e => b.Evacuated.TryGetValue(e.Key, out var to) && to == e.Value);

    private async Task ReconfigureAsync()
    {
        try
        {
            await _redis.ConfigureAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSubscribeFailed("the cluster's new topology", ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ownership map epoch {Epoch}: {Mode}; {Overrides} per-ISPB overrides")]
    private partial void LogMap(long epoch, string mode, int overrides);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A step on {Ispb} was fenced: it changed owner after this node's map (epoch {Epoch}); reading the map again")]
    private partial void LogFenced(string ispb, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This process did not run for {Seconds:F1} s: reading the ownership map again")]
    private partial void LogStalled(double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pushed ownership map could not be read ({Reason}); reading the stored one")]
    private partial void LogBadMap(string reason);
}
