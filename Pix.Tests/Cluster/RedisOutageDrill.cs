using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;
using Xunit.Abstractions;
using static Pix.Tests.Cluster.ClusterCalls;

namespace Pix.Tests.Cluster;

/// <summary>
/// All of Redis down at once (every node killed): Pix answers writes and reads 503 with <c>Retry-After</c>, never
/// 500 and never a hang, and <c>/readyz</c> says the store is unreachable. When the cluster comes back (the same
/// nodes restarted on their AOF), Pix serves again without a restart and what was stored before is still there.
/// </summary>
[Trait("Category", "Drill")]
public sealed class RedisOutageDrill(ITestOutputHelper output)
{
    [Fact]
    public async Task WithRedisGoneEveryRequestIs503AndServiceResumesWhenItReturns()
    {
        await using var redis = await RedisCluster.StartAsync();
        // A long idle timeout: the stream opened before the outage must still be there after it.
        await using var nodes = await PixNodes.StartAsync(redis, 2, [.. ClusterFixture.Settings, ("Pix:Streams:IdleTimeoutSeconds", "120")]);
        var node = nodes.Node(0).Port;
        var psp = ServerFixture.NewIspb();
        var stored = await PostAsync(node, psp, 3);
        var start = await StartAsync(node, psp);
        Assert.Equal(stored, Ids(start));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        async Task<string> Metrics() => await http.GetStringAsync($"http://127.0.0.1:{nodes.Node(1).AdminPort}/metrics");
        // The probe (every 2 s, off the request path) has PINGed every primary: reachable, with a measured round trip.
        var up = "";
        await CrossNodeStreamTests.WaitUntilAsync(async () => PrometheusText.Value(up = await Metrics(), "pix_storage_redis_round_trip_seconds") > 0,
            TimeSpan.FromSeconds(10), "no Redis round trip was measured");
        Assert.Equal(1, PrometheusText.Value(up, "pix_storage_redis_reachable"));

        foreach (var redisNode in redis.Nodes) redisNode.Kill();

        var answers = new List<(string What, int Status, string? RetryAfter, double Ms)>();
        for (var round = 0; round < (Drill.Long ? 20 : 2); round++)
        {
            foreach (var port in nodes.Nodes.Select(n => n.Port))
            {
                answers.Add(await TimedAsync("POST", () => new IcomClient(port).PostMultipartAsync(Spi, [TestMessages.Pacs008(Spi, psp)])));
                answers.Add(await TimedAsync("GET start", () => new IcomClient(port).StartAsync(psp)));
                answers.Add(await TimedAsync("GET token", () => new IcomClient(port).GetAsync(Next(start))));
                answers.Add(await TimedAsync("DELETE", () => new IcomClient(port).DeleteAsync(Next(start))));
            }
        }
        foreach (var answer in answers) output.WriteLine($"{answer.What}: {answer.Status} Retry-After {answer.RetryAfter} in {answer.Ms:F0} ms");
        Assert.All(answers, a =>
        {
            Assert.Equal(503, a.Status);
            Assert.NotNull(a.RetryAfter);
        });

        var ready = await http.GetAsync($"http://127.0.0.1:{nodes.Node(1).AdminPort}/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            output.WriteLine("readyz: " + report.RootElement);
            Assert.StartsWith("storage:", report.RootElement.GetProperty("reason").GetString());
            Assert.Contains("Redis", report.RootElement.GetProperty("reason").GetString());
        }
        // The gauge PixRedisUnreachable watches.
        await CrossNodeStreamTests.WaitUntilAsync(async () => PrometheusText.Value(await Metrics(), "pix_storage_redis_reachable") == 0,
            TimeSpan.FromSeconds(10), "pix_storage_redis_reachable stayed 1 with every Redis node killed");

        // The operator restarts the nodes; the cluster re-forms from nodes.conf and each AOF.
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(redis.Nodes.Select(n => n.RestartAsync(cluster: true, RedisCluster.NodeTimeoutMs)));
        await redis.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        var clusterBack = clock.Elapsed.TotalSeconds;
        RawResponse? served = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var client = new IcomClient(node);
            served = await client.GetAsync(Next(start));
            if (served.Status != 503) break;
            await Task.Delay(200);
        }
        output.WriteLine($"cluster healthy {clusterBack:F1} s after the restart began; Pix served again after {clock.Elapsed.TotalSeconds:F1} s");
        // The batch claimed before the outage was acknowledged by this read: nothing else is queued.
        Assert.Equal(204, served!.Status);
        await PostAsync(nodes.Node(1).Port, psp, 1);
        Assert.Single(Ids(await GetAsync(node, Next(served))));
        await CrossNodeStreamTests.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{nodes.Node(1).AdminPort}/readyz")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(10), "/readyz never said ready again");
        await CrossNodeStreamTests.WaitUntilAsync(async () => PrometheusText.Value(await Metrics(), "pix_storage_redis_reachable") == 1,
            TimeSpan.FromSeconds(10), "pix_storage_redis_reachable never said 1 again");
    }

    private static async Task<(string, int, string?, double)> TimedAsync(string what, Func<Task<RawResponse>> call)
    {
        var clock = Stopwatch.StartNew();
        var response = await call();
        clock.Stop();
        return (what, response.Status, response.Header("Retry-After"), clock.Elapsed.TotalMilliseconds);
    }
}
