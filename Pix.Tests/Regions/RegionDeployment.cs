using System.Security.Cryptography;
using System.Text.Json;
using Pix.Protocol.Ids;
using Pix.Protocol.Streams;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Regions;

/// <summary>
/// Two regions on loopback: a <see cref="RegionCluster"/> and one Pix node per region (<c>Pix:Region</c>), each on a
/// port chosen up front so that both know each other's base URL (<c>Pix:RegionUrls</c>), sharing a token key file.
/// The first region is the SPI's home, so isolating it also moves the sender of every message.
/// </summary>
internal sealed class RegionDeployment : IAsyncDisposable
{
    public const double LongPollSeconds = 1.5;
    private readonly TempDirectory _directory;
    private readonly Dictionary<string, PixServerProcess> _nodes;
    private readonly Dictionary<string, int> _ports;

    private RegionDeployment(RegionCluster redis, TempDirectory directory, Dictionary<string, PixServerProcess> nodes, Dictionary<string, int> ports, TokenKeyRing keys)
    {
        Redis = redis;
        _directory = directory;
        _nodes = nodes;
        _ports = ports;
        Tokens = new PullTokenCodec(keys);
    }

    public RegionCluster Redis { get; }

    /// <summary>The SPI's home region first, then the other.</summary>
    public string A { get; private init; } = "";
    public string B { get; private init; } = "";

    public PullTokenCodec Tokens { get; }

    public PixServerProcess Node(string region) => _nodes[region];

    public int Port(string region) => _ports[region];

    public string Url(string region) => $"http://127.0.0.1:{_ports[region]}";

    /// <summary>Where the controller's audit goes.</summary>
    public string DataDir => _directory.Path;

    public static async Task<RegionDeployment> StartAsync(params (string Key, string Value)[] extra)
    {
        var ring = new Pix.Storage.Regions.RegionRing(["sp", "us"]);
        var a = ring.Home(Ispb.Spi);
        var b = a == "sp" ? "us" : "sp";
        var redis = await RegionCluster.StartAsync("sp", "us");
        var directory = new TempDirectory("pix-regions");
        var nodes = new Dictionary<string, PixServerProcess>();
        try
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var keyFile = Path.Combine(directory.Path, "token.keys");
            await File.WriteAllTextAsync(keyFile, "1:" + Convert.ToBase64String(key) + "\n");
            var ports = new Dictionary<string, int> { ["sp"] = FreePorts.One(), ["us"] = FreePorts.One() };
            foreach (var region in new[] { "sp", "us" })
            {
                nodes[region] = await PixServerProcess.StartAsync("redis", null,
                [
                    ("Pix:Listen", $"127.0.0.1:{ports[region]}"),
                    // A frozen region's nodes accept connections and never answer: a short connect timeout keeps the
                    // survivor's topology refresh after a failover from waiting on them for the default 5 s.
                    ("Pix:Redis:Configuration", redis.Configuration + ",connectTimeout=1000,asyncTimeout=3000"),
                    ("Pix:Region", region),
                    ("Pix:Regions", "sp,us"),
                    ("Pix:RegionUrls:sp", $"http://127.0.0.1:{ports["sp"]}"),
                    ("Pix:RegionUrls:us", $"http://127.0.0.1:{ports["us"]}"),
                    ("Pix:Tokens:KeyPath", keyFile),
                    ("Pix:Streams:LongPollSeconds", LongPollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("Pix:RateLimit:Capacity", "100000"),
                    ("Pix:RateLimit:RefillPerSecond", "100000"),
                    ("Logging:LogLevel:Pix.Storage.Redis", "Warning"),
                    .. extra,
                ]);
            }
            return new RegionDeployment(redis, directory, nodes, ports, TokenKeyRing.Parse($"1:{Convert.ToBase64String(key)}\n", keyFile)) { A = a, B = b };
        }
        catch
        {
            foreach (var node in nodes.Values) await node.DisposeAsync();
            await redis.DisposeAsync();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The controller's configuration switches for this deployment.</summary>
    public string[] DrSettings =>
    [
        "--Pix:Regions", "sp,us",
        "--Pix:RegionRedis:sp", Redis.EndPointsOf("sp"),
        "--Pix:RegionRedis:us", Redis.EndPointsOf("us"),
        "--Pix:RegionNodes:sp", $"http://127.0.0.1:{_nodes["sp"].AdminPort}",
        "--Pix:RegionNodes:us", $"http://127.0.0.1:{_nodes["us"].AdminPort}",
        "--data", _directory.Path,
    ];

    public async Task<(int Code, string Output)> DrAsync(params string[] command) => await DrProcess.RunAsync([.. command, .. DrSettings]);

    /// <summary>Writes what <c>ops/regions/start.sh</c> writes (<c>regions.env</c>), so <c>pix-bench load --scenario
    /// failover</c> can drive this deployment.</summary>
    public string WriteState()
    {
        var lines = new List<string>
        {
            "regions=sp,us",
            $"dll={Path.Combine(AppContext.BaseDirectory, "Pix.Server.dll")}",
            $"data={_directory.Path}",
        };
        foreach (var region in new[] { "sp", "us" })
        {
            lines.Add($"redis.{region}={Redis.EndPointsOf(region)}");
            lines.Add($"url.{region}={Url(region)}");
            lines.Add($"admin.{region}=http://127.0.0.1:{_nodes[region].AdminPort}");
            lines.Add($"pids.{region}={string.Join(' ', Redis.In(region).Select(n => n.Pid).Append(_nodes[region].Pid))}");
        }
        File.WriteAllLines(Path.Combine(_directory.Path, "regions.env"), lines);
        return _directory.Path;
    }

    /// <summary>New ISPBs whose home is <paramref name="region"/>.</summary>
    public List<string> NewIspbs(string region, int count)
    {
        var found = new List<string>();
        while (found.Count < count)
        {
            var candidate = ServerFixture.NewIspb();
            if (Redis.Ring.Home(Ispb.Parse(candidate)) == region) found.Add(candidate);
        }
        return found;
    }

    /// <summary>The controller's audit lines: (time, step, detail).</summary>
    public List<(DateTimeOffset Time, string Step, string Detail)> Audit()
    {
        var path = Path.Combine(_directory.Path, "audit", "dr.jsonl");
        if (!File.Exists(path)) return [];
        return File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => (r.GetProperty("time").GetDateTimeOffset(), r.GetProperty("step").GetString()!, r.GetProperty("detail").GetString()!)).ToList();
    }

    /// <summary>The ownership map's epoch a node holds (its <c>pix_region_epoch</c> gauge).</summary>
    public async Task<long> EpochAsync(string region) => (long)await GaugeAsync(region, "pix_region_epoch");

    /// <summary>A gauge of a node's <c>/metrics</c> (the dashboard's region panel reads these).</summary>
    public async Task<double> GaugeAsync(string region, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{_nodes[region].AdminPort}/metrics");
        var line = metrics.Split('\n').First(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        await Redis.DisposeAsync();
        _directory.Dispose();
    }
}
