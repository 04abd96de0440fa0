using System.Diagnostics;
using Pix.Protocol.Ids;
using Pix.Tests.Cluster;
using Pix.Tests.Support;
using Xunit.Abstractions;

namespace Pix.Tests.Regions;

/// <summary>
/// The region drill of docs/regions.md on two regions of loopback processes: the SPI (at home in region A) posts to
/// PSPs of both regions, each PSP reads with six streams from its region; at a random moment every process of region
/// A (its Redis nodes and its Pix node) is frozen with SIGSTOP; <c>dr watch</c> (first test) or an operator's
/// <c>dr failover</c> (second) moves A's ISPBs to B; A's clients find B and carry on with their token chains. Then A
/// is thawed: its node must not serve or change A's former ISPBs; <c>dr failback</c> returns them. Checked: every 201
/// delivered, nothing acknowledged delivered again, each stream's first deliveries in sending order, B's own PSPs see
/// no 5xx other than 503 and no 503 after single-region mode began, and the time from the freeze to the first read of an
/// A PSP served in B. Long version: <c>PIX_LONG_DRILLS=1</c> (a minute of traffic in each phase).
/// </summary>
[Trait("Category", "Drill")]
public sealed class RegionFailoverDrill(ITestOutputHelper output)
{
    [Fact]
    public Task WatchFailsARegionOverByItselfAndFailbackReturnsIt() => RunAsync(watch: true);

    [Fact]
    public Task AnOperatorsFailoverMovesTheRegionAndFailbackReturnsIt() => RunAsync(watch: false);

    private async Task RunAsync(bool watch)
    {
        var phase = Drill.Long ? 60 : 4;
        await using var d = await RegionDeployment.StartAsync();
        var (a, b) = (d.A, d.B);
        var homes = new Dictionary<string, string> { [ClusterCalls.Spi] = a };
        foreach (var psp in d.NewIspbs(a, 2)) homes[psp] = a;
        foreach (var psp in d.NewIspbs(b, 2)) homes[psp] = b;
        var traffic = new RegionTraffic(d, homes);
        await using var watcher = watch ? DrProcess.Start(["watch", "--after", "2", .. d.DrSettings]) : null;
        using var stop = new CancellationTokenSource();
        var clients = new List<Task> { traffic.SendAsync(stop.Token, 7) };
        foreach (var psp in homes.Keys.Where(k => k != ClusterCalls.Spi))
        {
            for (var s = 0; s < 6; s++) clients.Add(traffic.ReadAsync(psp, s, stop.Token));
        }

        await Task.Delay(TimeSpan.FromSeconds(phase + Random.Shared.NextDouble() * 2));
        var isolatedAt = traffic.Now;
        var isolatedWall = DateTimeOffset.UtcNow;
        d.Redis.Freeze(a);
        d.Node(a).Signal("STOP");
        output.WriteLine($"{isolatedAt:F2} s: region {a} frozen (SIGSTOP: its 4 Redis nodes and its Pix node)");
        // A PSP of B sends to the SPI, whose queue and sending live in the frozen region: a clear answer, never a hang or a 500.
        var bPsp = homes.First(h => h.Value == b).Key;
        var toSpi = PostAsync(d.Port(b), bPsp, ClusterCalls.Spi);
        if (!watch)
        {
            // The operator's decision takes a moment; until then B's writes may be refused (503), never lost.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var (code, text) = await d.DrAsync("failover", "--from", a, "--to", b);
            output.WriteLine(text);
            Assert.True(code == 0, text);
        }
        var aPsps = homes.Where(h => h.Value == a && h.Key != ClusterCalls.Spi).Select(h => h.Key).ToHashSet();
        await CrossNodeStreamTests.WaitUntilAsync(() => traffic.Log.Any(e => e.At > isolatedAt && e.Region == b && aPsps.Contains(e.Who) && e.Status is 200 or 204),
            TimeSpan.FromSeconds(45), $"no PSP of {a} was served in {b}:\n{watcher?.Output}");
        // When the answer came (a read sent earlier may have waited in B for the map to flip).
        var firstReadInB = traffic.Log.Where(e => e.At > isolatedAt && e.Region == b && aPsps.Contains(e.Who) && e.Status is 200 or 204).Min(e => e.At + e.Ms / 1000) - isolatedAt;
        // Degraded, and saying so: the survivor's gauge (the dashboard's region panel, PixRegionSingleMode).
        await CrossNodeStreamTests.WaitUntilAsync(async () => await d.GaugeAsync(b, "pix_region_single_mode") == 1, TimeSpan.FromSeconds(5),
            $"{b}'s node does not report single-region mode");
        Assert.Equal(0, await d.GaugeAsync(b, "pix_region_evacuated"));
        var (spiStatus, spiRetryAfter, spiSeconds) = await toSpi;
        output.WriteLine($"a POST of {b}'s PSP {bPsp} to the SPI sent at the freeze: {spiStatus} (Retry-After {spiRetryAfter}) after {spiSeconds:F2} s");
        Assert.True(spiStatus is 503 or 201, $"a POST to the SPI of the frozen region was answered {spiStatus}");
        if (spiStatus == 503) Assert.NotNull(spiRetryAfter);
        Assert.True(spiSeconds < 10, $"a POST to the SPI of the frozen region took {spiSeconds:F1} s");
        // Once B serves the SPI, the PSPs of B send to it again.
        var (afterStatus, _, _) = await PostAsync(d.Port(b), bPsp, ClusterCalls.Spi);
        Assert.Equal(201, afterStatus);
        await Task.Delay(TimeSpan.FromSeconds(phase));

        // Thawed: A's node comes back with the map it had; the store's fences and the push keep it off A's former ISPBs.
        var thawedAt = traffic.Now;
        d.Redis.Thaw(a);
        d.Node(a).Signal("CONT");
        output.WriteLine($"{thawedAt:F2} s: region {a} thawed");
        var probe = aPsps.First();
        var streamsBefore = (await ClusterCalls.ViewAsync(d.Node(b), probe)).OpenStreams;
        for (var i = 0; i < 5; i++)
        {
            var refused = await ClusterCalls.StartAsync(d.Port(a), probe);
            Assert.True(refused.Status is 421 or 503, $"A's node served a former ISPB of its region after the thaw: {refused}");
            if (refused.Status == 421) Assert.Contains($"<region>{b}</region>", refused.Text);
        }
        Assert.Equal(streamsBefore, (await ClusterCalls.ViewAsync(d.Node(b), probe)).OpenStreams);
        using (var spi = new IcomClient(d.Port(a)))
        {
            var post = await spi.PostMultipartAsync(ClusterCalls.Spi, [TestMessages.Pacs008(ClusterCalls.Spi, probe)]);
            Assert.True(post.Status is 421 or 503, $"A's node stored a message for the SPI it no longer serves: {post}");
        }
        // It notices it did not run, reads the map, and tells the load balancer it has nothing to serve.
        await CrossNodeStreamTests.WaitUntilAsync(async () => (await ReadyAsync(d.Node(a))).Contains("evacuated", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), $"A's node never said on /readyz that its region is evacuated: {await ReadyAsync(d.Node(a))}");
        Assert.Equal(1, await d.GaugeAsync(a, "pix_region_evacuated"));
        await d.Redis.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        var failback = await FailbackAsync(d, a);
        var failedBackAt = traffic.Now;
        output.WriteLine(failback);
        await CrossNodeStreamTests.WaitUntilAsync(() => traffic.Log.Any(e => e.At > failedBackAt && e.Region == a && aPsps.Contains(e.Who) && e.Status is 200 or 204),
            TimeSpan.FromSeconds(30), $"no PSP of {a} was served in {a} again after the failback");
        await CrossNodeStreamTests.WaitUntilAsync(async () => (await ReadyAsync(d.Node(a))).StartsWith("200", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "A's node was not ready again after the failback");
        Assert.Equal(0, await d.GaugeAsync(b, "pix_region_single_mode"));
        Assert.Equal(0, await d.GaugeAsync(a, "pix_region_evacuated"));
        await Task.Delay(TimeSpan.FromSeconds(phase / 2.0));
        stop.Cancel();
        await Task.WhenAll(clients);
        await traffic.DrainAsync(TimeSpan.FromSeconds(60));

        var audit = d.Audit();
        double? Seconds(string step) => audit.Where(r => r.Step == step && r.Time >= isolatedWall).Select(r => (r.Time - isolatedWall).TotalSeconds).Cast<double?>().FirstOrDefault();
        var flip = Seconds("map.flip");
        output.WriteLine($"timeline (s after the freeze): detected {Seconds("watch.detected"):F2}, takeover {Seconds("takeover"):F2}, cluster ok {Seconds("cluster.ok"):F2}, "
            + $"map flip {flip:F2}, first read of an {a} PSP in {b} {firstReadInB:F2}, thaw {thawedAt - isolatedAt:F2}, failback done {failedBackAt - isolatedAt:F2}");
        var bPsps = homes.Where(h => h.Value == b).Select(h => h.Key).ToHashSet();
        var bRequests = traffic.Log.Where(e => bPsps.Contains(e.Who) && e.Region == b).ToList();
        var unavailable = bRequests.Where(e => e.At >= isolatedAt && e.Status == 503).ToList();
        var lastB503 = unavailable.Count == 0 ? (double?)null : unavailable.Max(e => e.At) - isolatedAt;
        output.WriteLine($"{b}'s PSPs: {bRequests.Count} requests, {unavailable.Count} answered 503 after the freeze, the last sent {lastB503:F2} s after it; "
            + $"{bRequests.Count(e => e.Status >= 500 && e.Status != 503)} other 5xx");
        // What B's PSPs miss while the SPI's region is gone: the longest stretch without a batch between the freeze and the thaw.
        var batches = traffic.Log.Where(e => bPsps.Contains(e.Who) && e.Status == 200).Select(e => e.At + e.Ms / 1000)
            .Where(t => t > isolatedAt && t < thawedAt).Order().Prepend(isolatedAt).Append(thawedAt).ToList();
        var longestGap = batches.Zip(batches.Skip(1), (x, y) => y - x).Max();
        output.WriteLine($"{b}'s PSPs got no batch for at most {longestGap:F2} s between the freeze and the thaw");
        output.WriteLine($"messages stored {traffic.Ledger.CreatedCount}, deliveries {traffic.Ledger.DeliveryCount}");

        Assert.Empty(traffic.Log.Where(e => e.Status >= 500 && e.Status != 503).Select(e => e.ToString()));
        Assert.NotNull(flip);
        Assert.True(lastB503 is null || lastB503 <= flip + 1.0, $"{b}'s PSPs got 503 at +{lastB503:F2} s, after single-region mode began at +{flip:F2} s");
        Assert.True(firstReadInB < 30, $"the first read of an {a} PSP in {b} came {firstReadInB:F1} s after the freeze");
        var problems = traffic.Ledger.Problems().Take(20).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var order = traffic.OrderProblems().Take(5).ToList();
        Assert.True(order.Count == 0, string.Join("\n", order));
        Assert.True(traffic.Ledger.CreatedCount > 20, $"only {traffic.Ledger.CreatedCount} messages were stored: the drill did not load Pix");
    }

    private static async Task<(int Status, string? RetryAfter, double Seconds)> PostAsync(int port, string from, string to)
    {
        var clock = Stopwatch.StartNew();
        using var client = new IcomClient(port);
        var response = await client.PostMultipartAsync(from, [TestMessages.Pacs008(from, to)]);
        return (response.Status, response.Header("Retry-After"), clock.Elapsed.TotalSeconds);
    }

    private static async Task<string> ReadyAsync(PixServerProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync($"http://127.0.0.1:{node.AdminPort}/readyz");
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    // The controller refuses while A's replicas are still catching up; an operator runs it again.
    private static async Task<string> FailbackAsync(RegionDeployment d, string region)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (code, text) = await d.DrAsync("failback", "--region", region);
            if (code == 0) return text;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), text);
            await Task.Delay(1000);
        }
    }
}
