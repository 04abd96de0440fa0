using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pix.Bench.Load;

/// <summary>
/// A client's connection to the region that serves its ISPB, as an ICOM client that knows every region's base URL
/// behaves (failover scenario): it starts at the ISPB's home region; a 421 sends it to the region the problem names
/// (unless that region just stopped answering: then it waits a moment and asks again); a request that gets no answer
/// marks its region silent for a while and the next one goes to the other region. Without regions it is a plain
/// <see cref="IcomConnection"/> to the next target.
/// </summary>
internal sealed class RoutedConnection : IDisposable
{
    private readonly RegionRoutes? _routes;
    private readonly ClientTls? _tls;
    private readonly string _ispb;
    private IcomConnection _connection;

    public RoutedConnection(LoadOptions options, string ispb)
    {
        _routes = options.Routes;
        Region = _routes?.Plan.Home(ispb) ?? "";
        _tls = options.Tls;
        _ispb = ispb;
        _connection = _routes is null
            ? new IcomConnection(options.NextEndPoint(), _tls, ispb)
            : new IcomConnection(_routes.EndPoint(Region), _tls, ispb, _routes.ReadTimeout);
    }

    /// <summary>The region the next request goes to ("" without regions).</summary>
    public string Region { get; private set; }

    public async Task<IcomResponse> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancel)
    {
        while (true)
        {
            IcomResponse response;
            try
            {
                response = await _connection.SendAsync(request, cancel);
            }
            catch (Exception e) when (_routes is not null && (e is IOException or SocketException || (e is OperationCanceledException && !cancel.IsCancellationRequested)))
            {
                _routes.Silent(Region);
                Switch(_routes.Plan.Other(Region));
                throw;
            }
            if (_routes is null || response.Status != 421) return response;
            var owner = RegionRoutes.OwnerIn(response.Body.Span);
            if (owner is not null && owner != Region && !_routes.IsSilent(owner)) Switch(owner);
            else await Task.Delay(250, cancel);
        }
    }

    private void Switch(string region)
    {
        _connection.Dispose();
        Region = region;
        _connection = new IcomConnection(_routes!.EndPoint(region), _tls, _ispb, _routes.ReadTimeout);
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>What every client of a failover run shares: the plan, and which regions stopped answering lately.</summary>
internal sealed class RegionRoutes(RegionPlan plan, TimeSpan readTimeout)
{
    /// <summary>How long a request waits for its answer before its region counts as silent (above the long poll).</summary>
    public TimeSpan ReadTimeout => readTimeout;

    private static readonly TimeSpan Suspicion = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, long> _silentSince = new();

    public RegionPlan Plan => plan;

    /// <summary>Called with every answer a PSP's stream got: its ISPB, the region that answered, the status, how long
    /// ago the request was sent (the drill's "first read in B", and what the surviving region's own PSPs saw).</summary>
    public Action<string, string, int, TimeSpan>? Answered { get; set; }

    public IPEndPoint EndPoint(string region)
    {
        var url = plan.Url(region);
        return new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
    }

    public void Silent(string region) => _silentSince[region] = Stopwatch.GetTimestamp();

    public bool IsSilent(string region) => _silentSince.TryGetValue(region, out var since) && Stopwatch.GetElapsedTime(since) < Suspicion;

    public static string? OwnerIn(ReadOnlySpan<byte> problem)
    {
        var text = Encoding.UTF8.GetString(problem);
        var start = text.IndexOf("<region>", StringComparison.Ordinal);
        if (start < 0) return null;
        start += "<region>".Length;
        var end = text.IndexOf("</region>", start, StringComparison.Ordinal);
        return end > start ? text[start..end] : null;
    }
}
