using System.Globalization;
using Pix.Protocol.Ids;
using Pix.Storage.Regions;

namespace Pix.Bench.Load;

/// <summary>
/// A two-region deployment started by <c>ops/regions/start.sh</c>, as its <c>regions.env</c> describes it: each
/// region's base URL, operator URL, Redis nodes and every process id (for the failover scenario's SIGSTOP), the
/// server binary (for the <c>dr</c> controller) and where the controller's audit goes.
/// </summary>
internal sealed class RegionPlan
{
    private readonly Dictionary<string, string> _values;

    private RegionPlan(Dictionary<string, string> values)
    {
        _values = values;
        Ring = RegionRing.Parse(Value("regions"));
        foreach (var region in Ring.Names)
        {
            var url = new Uri(Value("url." + region));
            if (url.Host != "127.0.0.1") throw new ArgumentException("pix-bench load only talks to 127.0.0.1.");
        }
    }

    public RegionRing Ring { get; }

    public static RegionPlan Load(string stateFolder)
    {
        var path = Path.Combine(stateFolder, "regions.env");
        if (!File.Exists(path)) throw new ArgumentException($"{path} does not exist: start the regions with ops/regions/start.sh first.");
        var values = File.ReadAllLines(path).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..].Trim(), StringComparer.Ordinal);
        return new RegionPlan(values);
    }

    public Uri Url(string region) => new(Value("url." + region));

    public Uri Admin(string region) => new(Value("admin." + region));

    public string Redis(string region) => Value("redis." + region);

    public int[] Pids(string region) =>
        Value("pids." + region).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();

    public string ServerDll => Value("dll");

    public string DataDir => Value("data");

    public string Home(string ispb) => Ring.Home(Ispb.Parse(ispb));

    public string Other(string region) => Ring.Names.First(r => r != region);

    /// <summary>The controller's switches for this deployment.</summary>
    public string[] DrSettings =>
    [
        "--Pix:Regions", Ring.ToString(),
        .. Ring.Names.SelectMany(r => new[] { $"--Pix:RegionRedis:{r}", Redis(r), $"--Pix:RegionNodes:{r}", Admin(r).ToString().TrimEnd('/') }),
        "--data", DataDir,
    ];

    private string Value(string key) => _values.TryGetValue(key, out var value) ? value : throw new ArgumentException($"regions.env has no {key}.");
}
