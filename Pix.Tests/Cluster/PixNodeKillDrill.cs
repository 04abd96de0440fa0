using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Xunit.Abstractions;

namespace Pix.Tests.Cluster;

/// <summary>
/// kill -9 one Pix node mid-stream, with HAProxy in front of two: the clients' next requests land on the survivor,
/// their tokens work there (a lost answer is repeated, an answered one advances), nothing stored is lost and
/// nothing acknowledged is delivered again. The Redis Cluster is the shared one: killing Pix does not touch it.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Drill")]
public sealed class PixNodeKillDrill(ClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task KillingANodeMidStreamLosesNothing()
    {
        var seconds = Drill.Long ? 60 : 4;
        await using var nodes = await PixNodes.StartAsync(fixture.Redis, 2, ClusterFixture.Settings);
        var psps = new[] { ServerFixture.NewIspb(), ServerFixture.NewIspb() };
        var traffic = new DrillTraffic(nodes.ProxyPort, psps);
        using var stop = new CancellationTokenSource();
        var clients = new List<Task> { traffic.SendAsync(stop.Token, 3), traffic.SendAsync(stop.Token, 4) };
        foreach (var psp in psps)
        {
            for (var i = 0; i < 3; i++) clients.Add(traffic.ReadAsync(psp, stop.Token));
        }

        await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0));
        var survivor = nodes.Node(1);
        var servedBefore = await PixNodes.RequestsServedAsync(survivor);
        var killedAt = traffic.Now;
        nodes.Node(0).Kill();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(seconds / 2.0, ClusterFixture.LongPollSeconds + 3)));
        stop.Cancel();
        await Task.WhenAll(clients);

        var lost = traffic.Reads.Count(r => r.At >= killedAt - 0.1 && r.Status == 0) + traffic.Posts.Count(p => p.At >= killedAt - 0.1 && p.Status == 0);
        var conflicts = traffic.Reads.Count(r => r.At >= killedAt && r.Status == 409);
        var after = DrillTraffic.Window(traffic.Reads, killedAt, traffic.Now, 200, 204);
        output.WriteLine($"after the kill: {lost} answers lost with the node, {conflicts} reads refused 409 while a dead request's lease ran out; " +
                         $"{after.Count} reads, p99 {after.P99:F0} ms");
        Assert.True(await PixNodes.RequestsServedAsync(survivor) > servedBefore + 10, "the survivor served no traffic after the kill");
        Assert.Contains(traffic.Reads, r => r.At > killedAt + 0.5 && r.Status == 200);

        await traffic.DrainAsync(survivor, TimeSpan.FromSeconds(60));
        var problems = traffic.Ledger.Problems().Take(20).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(traffic.Ledger.CreatedCount > 20, $"only {traffic.Ledger.CreatedCount} messages were stored: the drill did not load Pix");
    }
}
