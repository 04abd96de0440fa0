using System.Collections.Concurrent;
using System.Diagnostics;
using Pix.Protocol.Ids;

namespace Pix.Storage.Regions;

/// <summary>
/// A node's view of the ownership map: which region it runs in (<c>Pix:Region</c>), the deployment's regions, and the
/// latest map it has heard of. The store loads the map at start and applies every change pushed to it; a request for
/// an ISPB another region owns may first ask for a fresh copy (<see cref="RefreshAsync"/>, at most once a second), so a
/// node that missed a push catches up on the first request that needs it. Reading it on the request path is a
/// volatile read and a dictionary lookup.
/// </summary>
public sealed class RegionOwnership
{
    private const int MaxCachedHomes = 100_000;
    private readonly ConcurrentDictionary<Ispb, string> _homes = new();
    private readonly Dictionary<string, string> _urls;
    private readonly Lock _lock = new();
    private volatile OwnershipMap? _map;
    private Task? _refreshing;
    private long _refreshedAt;

    public RegionOwnership(string region, RegionRing ring, IReadOnlyDictionary<string, string>? urls = null)
    {
        if (!ring.Contains(region)) throw new ArgumentException($"Pix:Region '{region}' is not one of Pix:Regions ({ring}).");
        Region = region;
        Ring = ring;
        _urls = urls?.Where(u => !string.IsNullOrWhiteSpace(u.Value)).ToDictionary(u => u.Key, u => u.Value.Trim()) ?? [];
    }

    /// <summary>The region this node runs in.</summary>
    public string Region { get; }

    public RegionRing Ring { get; }

    /// <summary>The latest map this node knows; null until the store has loaded one.</summary>
    public OwnershipMap? Current => _map;

    /// <summary>Loads the map from the store (set by the store adapter that keeps it).</summary>
    public Func<CancellationToken, Task<OwnershipMap>>? Loader { get; set; }

    /// <summary>Raised after a newer map was applied (old map, new map; the old one is null at first load).</summary>
    public event Action<OwnershipMap?, OwnershipMap>? Changed;

    /// <summary>A region's public base URL (<c>Pix:RegionUrls:{region}</c>), if configured.</summary>
    public string? UrlOf(string region) => _urls.GetValueOrDefault(region);

    public string Home(Ispb ispb)
    {
        if (_homes.TryGetValue(ispb, out var home)) return home;
        home = Ring.Home(ispb);
        if (_homes.Count < MaxCachedHomes) _homes.TryAdd(ispb, home);
        return home;
    }

    /// <summary>The owner under the current map; null while no map is loaded.</summary>
    public string? OwnerOf(Ispb ispb) => _map?.OwnerOf(ispb, Home(ispb));

    /// <summary>Whether this node's region serves <paramref name="ispb"/> under <paramref name="map"/>.</summary>
    public bool Serves(OwnershipMap map, Ispb ispb) => map.OwnerOf(ispb, Home(ispb)) == Region;

    /// <summary>Takes <paramref name="map"/> if it is newer than the one held; true when it did.</summary>
    public bool Apply(OwnershipMap map)
    {
        OwnershipMap? old;
        lock (_lock)
        {
            old = _map;
            if (old is not null && old.Epoch >= map.Epoch) return false;
            _map = map;
        }
        Changed?.Invoke(old, map);
        return true;
    }

    /// <summary>Loads the map again unless that was done less than <paramref name="minimumAge"/> ago; callers at the
    /// same moment share one load. A failed load leaves the current map in place.</summary>
    public Task RefreshAsync(TimeSpan minimumAge)
    {
        if (Loader is not { } loader) return Task.CompletedTask;
        lock (_lock)
        {
            if (_refreshing is { IsCompleted: false } running) return running;
            if (_refreshedAt != 0 && _map is not null && Stopwatch.GetElapsedTime(_refreshedAt) < minimumAge) return Task.CompletedTask;
            _refreshedAt = Stopwatch.GetTimestamp();
            return _refreshing = LoadAsync(loader);
        }
    }

    private async Task LoadAsync(Func<CancellationToken, Task<OwnershipMap>> loader)
    {
        try
        {
            Apply(await loader(CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (e is StoreUnavailableException or FormatException)
        {
            // The store is away (or holds a map this version cannot read): the map in hand stays, and the next
            // refresh tries again.
        }
    }
}
