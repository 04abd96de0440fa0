using System.Text.RegularExpressions;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Support;

/// <summary>
/// Several real Pix server processes sharing one Redis Cluster (<c>Pix:Storage redis</c>), with HAProxy in front as
/// production runs them. Tests talk to a node directly (<see cref="Node"/>) when it matters which node answers, and
/// to <see cref="ProxyPort"/> when they want what a PSP sees.
/// </summary>
internal sealed partial class PixNodes : IAsyncDisposable
{
    private readonly List<PixServerProcess> _nodes;
    private readonly HaProxyProcess _proxy;

    private PixNodes(List<PixServerProcess> nodes, HaProxyProcess proxy)
    {
        _nodes = nodes;
        _proxy = proxy;
    }

    public IReadOnlyList<PixServerProcess> Nodes => _nodes;

    public PixServerProcess Node(int index) => _nodes[index];

    public int ProxyPort => _proxy.Port;

    /// <summary>Starts <paramref name="count"/> nodes on <paramref name="cluster"/> with the same
    /// <paramref name="settings"/>, then HAProxy over them.</summary>
    public static async Task<PixNodes> StartAsync(RedisCluster cluster, int count, params (string Key, string Value)[] settings)
    {
        var nodes = new List<PixServerProcess>();
        try
        {
            nodes.AddRange(await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartNodeAsync(cluster, settings))));
            var proxy = await HaProxyProcess.StartAsync(nodes.Select(n => n.Port));
            return new PixNodes(nodes, proxy);
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>One more node on the same cluster, outside the proxy (a test that kills it owns it).</summary>
    public static Task<PixServerProcess> StartNodeAsync(RedisCluster cluster, params (string Key, string Value)[] settings) =>
        PixServerProcess.StartAsync("redis", null, [("Pix:Redis:Configuration", cluster.Configuration), .. settings]);

    /// <summary>ICOM requests a node has answered so far, from its own <c>/metrics</c>: which node served a client.</summary>
    public static async Task<long> RequestsServedAsync(PixServerProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{node.AdminPort}/metrics");
        return RequestCount().Matches(metrics).Sum(m => (long)double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>How often the nodes' logs say <paramref name="text"/>, summed over every node.</summary>
    public int LogCount(string text) => _nodes.Sum(n => Regex.Count(n.Output, Regex.Escape(text)));

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    // Labels hold braces themselves (route="stream/{token}"): the value is the last field of the line.
    [GeneratedRegex(@"^pix_requests_total\{.*\} (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RequestCount();
}
