using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;
using Xunit.Abstractions;

namespace Pix.Tests.Cluster;

/// <summary>
/// The seed's cache-loss playbook on a cluster of its own, shaped as the seed runs it (each primary with two
/// replicas): kill -9 the primary that owns the streams' participant while the SPI posts and six streams read
/// through HAProxy. A replica is promoted, Pix finds it, and the durability contract holds: every 201 is
/// delivered, nothing acknowledged is delivered again. Then the shard loses its last replica too: under
/// <c>replica</c> durability its writes are refused (503), never silently downgraded, until a replica is back.
/// Long version: <c>PIX_LONG_DRILLS=1</c> (README).
/// </summary>
[Trait("Category", "Drill")]
public sealed class RedisPrimaryKillDrill(ITestOutputHelper output)
{
    [Fact]
    public async Task KillingAPrimaryLosesNoAcknowledgedMessage()
    {
        var seconds = Drill.Long ? 60 : 4;
        await using var redis = await RedisCluster.StartAsync(primaries: 3, replicasEach: 2);
        await using var nodes = await PixNodes.StartAsync(redis, 2, ClusterFixture.Settings);
        var psp = ServerFixture.NewIspb();
        var doomed = redis.PrimaryFor($"pix:{{{psp}}}:seq");
        var traffic = new DrillTraffic(nodes.ProxyPort, [psp]);
        using var stop = new CancellationTokenSource();
        var clients = new List<Task> { traffic.SendAsync(stop.Token, 1), traffic.SendAsync(stop.Token, 2) };
        for (var i = 0; i < 6; i++) clients.Add(traffic.ReadAsync(psp, stop.Token));

        await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0));
        var killedAt = traffic.Now;
        doomed.Kill();
        output.WriteLine($"{killedAt:F2} s: killed primary {doomed.EndPoint} (owns {psp})");
        await CrossNodeStreamTests.WaitUntilAsync(() => redis.TryPrimaryFor($"pix:{{{psp}}}:seq") is { } primary && primary != doomed, TimeSpan.FromSeconds(30),
            "no replica was promoted");
        var promotedAt = traffic.Now;
        // Service is back once a POST sent after the promotion is stored.
        await CrossNodeStreamTests.WaitUntilAsync(() => traffic.Posts.Any(p => p.At > promotedAt && p.Status == 201), TimeSpan.FromSeconds(30),
            "Pix never stored a message on the promoted primary");
        var servingAt = traffic.Posts.Where(p => p.At > killedAt && p.Status == 201).Min(p => p.At);
        // The probe follows the cluster's own view: once a replica owns the dead primary's slots, every primary that
        // owns slots answers again (the dead node no longer counts), so PixRedisUnreachable clears.
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            await CrossNodeStreamTests.WaitUntilAsync(async () => PrometheusText.Value(
                    await http.GetStringAsync($"http://127.0.0.1:{nodes.Node(0).AdminPort}/metrics"), "pix_storage_redis_reachable") == 1,
                TimeSpan.FromSeconds(30), "pix_storage_redis_reachable did not return to 1 after the promotion");
        }
        await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0));
        stop.Cancel();
        await Task.WhenAll(clients);

        var before = DrillTraffic.Window(traffic.Posts, 0, killedAt, 201);
        var during = DrillTraffic.Window(traffic.Posts, killedAt, servingAt, 201);
        var reads = DrillTraffic.Window(traffic.Reads, killedAt, servingAt, 200, 204);
        var lastFailed = traffic.Posts.Where(p => p.Status != 201).Select(p => p.At).DefaultIfEmpty(killedAt).Max();
        output.WriteLine($"promoted after {promotedAt - killedAt:F2} s; first 201 sent {servingAt - killedAt:F2} s after the kill; last failed POST sent at +{lastFailed - killedAt:F2} s");
        output.WriteLine($"POST before the kill: {before.Count} requests, p99 {before.P99:F1} ms");
        output.WriteLine($"POST in the window: {during.Count} requests, {during.Failed} not stored (503 or lost), p99 {during.P99:F0} ms");
        output.WriteLine($"stream reads in the window: {reads.Count}, {reads.Failed} refused or lost, p99 {reads.P99:F0} ms");

        // A shard with no replica left must refuse writes (replica durability), not store them unconfirmed.
        var promoted = redis.PrimaryFor($"pix:{{{psp}}}:seq");
        foreach (var replica in redis.ReplicasOf(promoted)) replica.Kill();
        using (var client = new IcomClient(nodes.Node(0).Port))
        {
            var refused = await client.PostMultipartAsync(ClusterCalls.Spi, [TestMessages.Pacs008(ClusterCalls.Spi, psp)]);
            Assert.Equal(503, refused.Status);
            Assert.NotNull(refused.Header("Retry-After"));
        }
        // The operator brings the dead nodes back; they rejoin as replicas and writes flow again.
        await doomed.RestartAsync(cluster: true, RedisCluster.NodeTimeoutMs);
        await redis.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        await ClusterCalls.PostAsync(nodes.Node(1).Port, psp, 1);

        await traffic.DrainAsync(nodes.Node(0), TimeSpan.FromSeconds(60));
        var problems = traffic.Ledger.Problems().Take(20).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(traffic.Ledger.CreatedCount > 20, $"only {traffic.Ledger.CreatedCount} messages were stored: the drill did not load Pix");
    }
}

/// <summary>The drills' shared switch: <c>PIX_LONG_DRILLS=1</c> runs each for a minute instead of seconds.</summary>
internal static class Drill
{
    public static bool Long => Environment.GetEnvironmentVariable("PIX_LONG_DRILLS") == "1";
}
