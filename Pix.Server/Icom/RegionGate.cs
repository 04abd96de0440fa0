using Pix.Protocol.Ids;
using Pix.Protocol.Problems;
using Pix.Server.Http;
using Pix.Storage.Regions;

namespace Pix.Server.Icom;

/// <summary>
/// Regions: a node serves the streams and the sending of the ISPBs its region owns, and answers any other with 421
/// naming the owner (and its base URL, <c>Pix:RegionUrls</c>) before anything reads or changes that ISPB's state.
/// Before it refuses, it reads the map again (at most once a second), so a node that missed a push serves what its
/// region was just given instead of sending the client away. The answers are built once per region.
/// </summary>
internal sealed class RegionGate
{
    private static readonly TimeSpan RefreshAtMost = TimeSpan.FromSeconds(1);
    private readonly RegionOwnership _regions;
    private readonly ProblemResponder _problems;
    private readonly Dictionary<string, (byte[] Detail, byte[] Extensions)> _answers = [];

    public RegionGate(RegionOwnership regions, ProblemResponder problems)
    {
        _regions = regions;
        _problems = problems;
        foreach (var region in regions.Ring.Names)
        {
            var url = regions.UrlOf(region);
            var detail = url is null ? $"This ISPB is served by region {region}: send its requests to that region's Pix."
                : $"This ISPB is served by region {region}: send its requests to {url}.";
            var extensions = ProblemXmlWriter.Extension("region", region);
            if (url is not null) extensions = [.. extensions, .. ProblemXmlWriter.Extension("regionUrl", url)];
            _answers[region] = (System.Text.Encoding.UTF8.GetBytes(detail), extensions);
        }
    }

    public RegionOwnership Ownership => _regions;

    /// <summary>The fast path: this region serves <paramref name="ispb"/> under the map in hand.</summary>
    public bool Serves(Ispb ispb) => _regions.Current is { } map && _regions.Serves(map, ispb);

    /// <summary>The slow path, before a refusal: the map read again (shared, at most once a second), then asked again.</summary>
    public async ValueTask<bool> ServesAfterRefreshAsync(Ispb ispb)
    {
        await _regions.RefreshAsync(RefreshAtMost).ConfigureAwait(false);
        return Serves(ispb);
    }

    /// <summary>
    /// From a head whose body is still to come: true when the map in hand gives <paramref name="ispb"/> to another
    /// region. The head path cannot wait for a read of the map, so it refuses on the map in hand and starts that read
    /// (at most once a second): a node that missed a push sends one client away once, then knows better.
    /// </summary>
    public bool RefusesFromHead(Ispb ispb)
    {
        if (_regions.Current is not { } map || _regions.Serves(map, ispb)) return false;
        _ = _regions.RefreshAsync(RefreshAtMost);
        return true;
    }

    /// <summary>The step was fenced by the store: the map is behind; read it (now) before answering.</summary>
    public Task CatchUpAsync() => _regions.RefreshAsync(TimeSpan.Zero);

    public void Refuse(HttpResponse response, Ispb ispb)
    {
        if (_regions.Current is not { } map)
        {
            _problems.Write(response, Problem.ServiceUnavailable, "This node has not loaded the region ownership map yet."u8, retryAfterSeconds: 1);
            return;
        }
        var owner = map.OwnerOf(ispb, _regions.Home(ispb));
        if (owner == _regions.Region)
        {
            // Fenced, and the map read since still says ours: it is changing under us; the client tries again.
            _problems.Write(response, Problem.ServiceUnavailable, "The ownership of this ISPB is changing; try again."u8, retryAfterSeconds: 1);
            return;
        }
        var (detail, extensions) = _answers[owner];
        _problems.Write(response, Problem.Misdirected, detail, extensions: extensions);
    }
}
