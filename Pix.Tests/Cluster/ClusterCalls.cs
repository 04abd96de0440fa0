using System.Text.Json;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Cluster;

/// <summary>What the cross-node tests do to one node at a time, each on a fresh connection (HAProxy balances
/// connections, so a test that must know which node answered talks to that node itself).</summary>
internal static class ClusterCalls
{
    public const string Spi = "00038166";

    /// <summary>Posts <paramref name="count"/> messages to <paramref name="psp"/> through <paramref name="port"/>, ten
    /// per request; returns their ids in order.</summary>
    public static async Task<List<string>> PostAsync(int port, string psp, int count, string tag = "")
    {
        var ids = new List<string>();
        using var client = new IcomClient(port);
        for (var sent = 0; sent < count; sent += 10)
        {
            var response = await client.PostMultipartAsync(Spi, Enumerable.Range(0, Math.Min(10, count - sent)).Select(_ => TestMessages.Pacs008(Spi, psp, tag)));
            Assert.True(response.Status == 201, $"POST through port {port}: {response}");
            ids.AddRange(response.Header("PI-ResourceId")!.Split(','));
        }
        return ids;
    }

    public static async Task<RawResponse> StartAsync(int port, string psp, bool multipart = true)
    {
        using var client = new IcomClient(port);
        return await client.StartAsync(psp, multipart);
    }

    public static async Task<RawResponse> GetAsync(int port, string token)
    {
        using var client = new IcomClient(port);
        return await client.GetAsync(token);
    }

    public static async Task<RawResponse> DeleteAsync(int port, string token)
    {
        using var client = new IcomClient(port);
        return await client.DeleteAsync(token);
    }

    public static List<string> Ids(RawResponse response) => IcomClient.Messages(response).Select(m => m.Id).ToList();

    public static string Next(RawResponse response) =>
        response.Header("PI-Pull-Next") ?? throw new InvalidOperationException("No PI-Pull-Next in " + response);

    /// <summary>The operator view of <paramref name="psp"/> as <paramref name="node"/> reads it from the shared store.</summary>
    public static async Task<(long Unacknowledged, long Depth, int OpenStreams)> ViewAsync(PixServerProcess node, string psp)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var view = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{node.AdminPort}/admin/v1/ispb/{psp}"));
        var root = view.RootElement;
        return (root.GetProperty("unacknowledged").GetInt64(), root.GetProperty("queueDepth").GetInt64(), root.GetProperty("openStreams").GetInt32());
    }

    /// <summary>A field of a stream's state in Redis (white box: <c>l</c> is the lease holder, 0 for none).</summary>
    public static string StreamField(RedisCluster redis, string psp, int streamId, string field)
    {
        var key = $"pix:{{{psp}}}:s:{streamId}";
        return RedisCluster.Cli(redis.PrimaryFor(key), $"hget {key} {field}").Trim();
    }
}
