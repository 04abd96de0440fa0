using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Pix.Tests.Cluster;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;

namespace Pix.Tests.Regions;

/// <summary>
/// The traffic of the region drill, as ICOM clients that know both regions' base URLs make it: each client starts at
/// its ISPB's home region; a 421 sends it to the region the problem names (unless that region just stopped answering:
/// then it waits a moment and asks again where it is); a request that gets no answer within the long poll plus a
/// margin marks that region as not answering and the client tries the other. A POST that was not answered 201 is sent
/// again unchanged (dedup makes that safe); a read that was not answered is sent again with the same token (the
/// repeated token returns the same batch). Every request is logged with its time, region and status; the
/// <see cref="CrashLedger"/> checks the durability contract and each stream's order is recorded.
/// </summary>
internal sealed partial class RegionTraffic(RegionDeployment deployment, IReadOnlyDictionary<string, string> homes)
{
    private const string Spi = ClusterCalls.Spi;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(RegionDeployment.LongPollSeconds + 2.5);
    private static readonly TimeSpan Suspicion = TimeSpan.FromSeconds(15);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, int> _sent = new();
    private readonly ConcurrentDictionary<string, double> _silentSince = new();

    public CrashLedger Ledger { get; } = new();

    /// <summary>Every request: seconds since start, who (the ISPB), the region asked, status (0: no answer), ms.</summary>
    public ConcurrentQueue<(double At, string Who, string Region, int Status, double Ms)> Log { get; } = new();

    /// <summary>Per stream, the message numbers in the order it first received them, each with the highest number sent
    /// to its PSP before a read of that PSP went unanswered (0: none yet): such a read may have claimed a batch that
    /// comes back later, to any stream, after newer messages (ICOM puts an abandoned batch back at the head).</summary>
    public ConcurrentDictionary<string, List<(int Number, int LostBelow)>> Order { get; } = new();

    private readonly ConcurrentDictionary<string, int> _lostBelow = new();

    public double Now => _clock.Elapsed.TotalSeconds;

    public Task SendAsync(CancellationToken stop, int seed) => Task.Run(async () =>
    {
        var random = new Random(seed);
        var route = new Route(this, homes[Spi]);
        var psps = homes.Keys.Where(k => k != Spi).ToArray();
        while (!stop.IsCancellationRequested)
        {
            // Numbered per receiver in the order they are sent: one sender, each batch stored before the next.
            var batch = Enumerable.Range(0, random.Next(1, 5)).Select(_ => psps[random.Next(psps.Length)])
                .Select(to => TestMessages.Pacs008(Spi, to, _sent.AddOrUpdate(to, 1, (_, n) => n + 1).ToString())).ToList();
            while (!stop.IsCancellationRequested)
            {
                var response = await route.SendAsync(Spi, c => c.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", IcomClient.Multipart(batch).Body,
                    $"Content-Type: {IcomClient.Multipart(batch).ContentType}\r\n", Timeout));
                if (response?.Status == 201)
                {
                    Ledger.Created(response.Header("PI-ResourceId")!.Split(','));
                    break;
                }
                await Task.Delay(100, CancellationToken.None);
            }
        }
        route.Dispose();
    });

    public Task ReadAsync(string psp, int stream, CancellationToken stop) => Task.Run(async () =>
    {
        var route = new Route(this, homes[psp]);
        var order = Order.GetOrAdd($"{psp}/{stream}", _ => []);
        var seen = new HashSet<string>();
        string? token = null;
        List<string> held = [];
        while (!stop.IsCancellationRequested)
        {
            var sentAt = Ledger.Tick();
            var path = token ?? $"/api/v1/out/{psp}/stream/start";
            var response = await route.SendAsync(psp, c => c.SendAsync("GET", path, null, "Accept: multipart/mixed\r\n", Timeout));
            switch (response?.Status)
            {
                case 200 or 204:
                    if (token is not null) Ledger.Acknowledged(held);
                    var messages = IcomClient.Messages(response);
                    held = messages.Select(m => m.Id).ToList();
                    Ledger.Delivered(held, sentAt);
                    foreach (var (id, xml) in messages)
                    {
                        if (seen.Add(id)) order.Add((int.Parse(IcomClient.Tag(xml)), _lostBelow.GetValueOrDefault(psp)));
                    }
                    token = response.Header("PI-Pull-Next");
                    break;
                case 410:
                    token = null;
                    held = [];
                    break;
                case null:
                    // No answer: whatever this read claimed is redelivered once its stream expires.
                    _lostBelow.AddOrUpdate(psp, _sent.GetValueOrDefault(psp), (_, below) => Math.Max(below, _sent.GetValueOrDefault(psp)));
                    break;
                case 421:
                    break;
                default:
                    await Task.Delay(100, CancellationToken.None);
                    break;
            }
        }
        if (token is not null)
        {
            var closed = await route.SendAsync(psp, c => c.SendAsync("DELETE", token, null, "", Timeout));
            if (closed?.Status == 200) Ledger.Acknowledged(held);
        }
        route.Dispose();
    });

    /// <summary>Reads every PSP's queue at the region that serves it until the store says nothing is left.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var psp in homes.Keys.Where(k => k != Spi))
        {
            var port = deployment.Port(homes[psp]);
            while (true)
            {
                Assert.True(clock.Elapsed < timeout, $"the queue of {psp} did not drain");
                using var client = new IcomClient(port);
                var sentAt = Ledger.Tick();
                var response = await client.StartAsync(psp);
                if (response.Status is not (200 or 204))
                {
                    await Task.Delay(250);
                    continue;
                }
                while (response.Status == 200)
                {
                    var ids = ClusterCalls.Ids(response);
                    Ledger.Delivered(ids, sentAt);
                    sentAt = Ledger.Tick();
                    response = await client.GetAsync(ClusterCalls.Next(response));
                    if (response.Status is 200 or 204) Ledger.Acknowledged(ids);
                }
                if (response.Header("PI-Pull-Next") is { } last) await client.DeleteAsync(last);
                if ((await ClusterCalls.ViewAsync(deployment.Node(homes[psp]), psp)).Unacknowledged == 0) break;
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Streams whose first deliveries went backwards (a message numbered lower than one it already had) to a
    /// message no unanswered read can have claimed: one sent after every read of its PSP that went unanswered.</summary>
    public IEnumerable<string> OrderProblems() =>
        Order.Where(o => o.Value.Zip(o.Value.Skip(1)).Any(p => p.Second.Number < p.First.Number && p.Second.Number > p.Second.LostBelow))
            .Select(o => $"{o.Key} received {string.Join(",", o.Value.Select(m => m.Number))}");

    private bool Silent(string region) => _silentSince.TryGetValue(region, out var since) && Now - since < Suspicion.TotalSeconds;

    private int PortOf(string region) => deployment.Port(region);

    private string Other(string region) => region == deployment.A ? deployment.B : deployment.A;

    /// <summary>One client's base URL and connection.</summary>
    private sealed class Route(RegionTraffic traffic, string home) : IDisposable
    {
        private IcomClient? _client;
        private string _region = home;

        public async Task<RawResponse?> SendAsync(string who, Func<IcomClient, Task<RawResponse>> call)
        {
            var region = _region;
            var at = traffic.Now;
            var started = Stopwatch.GetTimestamp();
            try
            {
                _client ??= new IcomClient(traffic.PortOf(region));
                var response = await call(_client);
                traffic.Log.Enqueue((at, who, region, response.Status, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                if (response.Status == 421 && OwnerIn(response.Text) is { } owner && owner != region)
                {
                    if (traffic.Silent(owner)) await Task.Delay(250);
                    else Switch(owner);
                }
                if (response.Header("Connection") == "close") Drop();
                return response;
            }
            catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException)
            {
                traffic.Log.Enqueue((at, who, region, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                traffic._silentSince[region] = traffic.Now;
                Switch(traffic.Other(region));
                return null;
            }
        }

        private void Switch(string region)
        {
            Drop();
            _region = region;
        }

        private void Drop()
        {
            _client?.Dispose();
            _client = null;
        }

        public void Dispose() => Drop();
    }

    private static string? OwnerIn(string problem) => OwnerElement().Match(problem) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("<region>([a-z0-9-]+)</region>")]
    private static partial Regex OwnerElement();
}
