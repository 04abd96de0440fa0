using Pix.Bench.Load;
using Pix.Tests.Support;

namespace Pix.Tests.Cluster;

/// <summary><c>pix-bench load --targets</c> against both nodes of the cluster at once: the SPI's batches and the PSPs'
/// streams spread over the nodes, and the ledger finds nothing lost and nothing repeated that was acknowledged.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LoadOnTheClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AShortSoakOverBothNodesLosesNothing()
    {
        using var reports = new TempDirectory("pix-bench-report");
        var options = new LoadOptions
        {
            Targets = TargetList.Parse($"http://127.0.0.1:{fixture.A.Port},http://127.0.0.1:{fixture.B.Port}"),
            Admin = new Uri($"http://127.0.0.1:{fixture.B.AdminPort}"),
            DurationSeconds = 4,
            Rate = 100,
            Psps = 4,
            Producers = 4,
            LifetimeMinSeconds = 1,
            LifetimeMaxSeconds = 2,
            AbandonShare = 0.3,
            DrainSeconds = 20,
            Quiet = true,
            Output = reports.Path,
        };
        options.Validate();
        var before = await Task.WhenAll(fixture.Nodes.Nodes.Select(PixNodes.RequestsServedAsync));

        var summary = await new LoadRun(options).RunAsync();

        Assert.True(summary.Ledger.Accepted > 200, $"only {summary.Ledger.Accepted} messages were accepted");
        Assert.Equal(0, summary.Ledger.Lost);
        Assert.Equal(0, summary.Ledger.UnexpectedDuplicates);
        Assert.True(summary.Passed);
        await Task.Delay(500);
        var after = await Task.WhenAll(fixture.Nodes.Nodes.Select(PixNodes.RequestsServedAsync));
        Assert.All(after.Zip(before), pair => Assert.True(pair.First > pair.Second + 20, "a node took almost none of the load"));
    }

    [Fact]
    public void TargetsGoRoundRobinAndOnlyToLoopback()
    {
        var targets = TargetList.Parse("http://127.0.0.1:8080, http://127.0.0.1:8081");
        Assert.Equal([8080, 8081, 8080, 8081], Enumerable.Range(0, 4).Select(_ => targets.Next().Port));
        Assert.Throws<ArgumentException>(() => TargetList.Parse("http://127.0.0.1:8080,http://10.0.0.1:8081"));
    }
}
