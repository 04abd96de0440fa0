using Pix.Bench.Load;
using Pix.Tests.Support;

namespace Pix.Tests.Regions;

/// <summary>
/// <c>pix-bench load --scenario failover</c> against two regions on loopback: the SPI and six streams per PSP follow
/// their regions while the scenario freezes region A, <c>dr watch</c> fails it over, A is thawed and failed back; the
/// ledger finds nothing lost and nothing delivered twice that was not allowed to, and the report carries the timeline.
/// </summary>
[Trait("Category", "Drill")]
public sealed class FailoverScenarioTests
{
    [Fact]
    public async Task TheFailoverScenarioRunsTheDrillAndReportsItsTimeline()
    {
        await using var d = await RegionDeployment.StartAsync();
        using var reports = new TempDirectory("pix-bench-failover");
        var window = Cluster.Drill.Long ? 30 : 6;
        var options = LoadOptions.Parse(
        [
            "--scenario", "failover", "--regions-state", d.WriteState(), "--duration", (window * 3).ToString(), "--window-from", "3",
            "--window", window.ToString(), "--rate", "100", "--psps", "4", "--read-timeout", "4", "--drain", "120", "--quiet", "--out", reports.Path,
        ]);

        var summary = await new LoadRun(options).RunAsync();

        var events = summary.Timeline!.ToDictionary(e => e.Name, e => e.Second);
        // A missing event is explained by what the dr commands said: quote the end of their transcript.
        var transcript = string.Join("\n", (summary.DrillTranscript ?? []).TakeLast(60));
        foreach (var name in new[] { "isolation", "detection", "takeover", "map flip", "first read in B", "thaw", "failback" })
            Assert.True(events.ContainsKey(name), $"the timeline has no {name}: {string.Join(", ", events.Keys)}; dr said:\n{transcript}");
        Assert.True(events["isolation"] < events["detection"] && events["detection"] <= events["takeover"] && events["takeover"] <= events["map flip"]
            && events["map flip"] <= events["first read in B"] && events["thaw"] < events["failback"], string.Join(", ", summary.Timeline!.Select(e => $"{e.Name} {e.Second:F2}")));
        Assert.True(summary.Ledger.Accepted > 300, $"only {summary.Ledger.Accepted} messages were accepted");
        // B's own PSPs: no 5xx but 503, and no 503 for a request sent after the map flipped (single-region mode).
        var survivors = summary.Survivors!;
        Assert.True(survivors.Answers > 50, $"B's PSPs were answered only {survivors.Answers} times after the isolation");
        Assert.Equal(0, survivors.OtherServerErrors);
        Assert.True(survivors.LastUnavailableAfterIsolation is null || survivors.LastUnavailableAfterIsolation <= events["map flip"] - events["isolation"] + 1.0,
            $"B's PSPs got a 503 for a request sent {survivors.LastUnavailableAfterIsolation:F2} s after the isolation; the map flipped at {events["map flip"] - events["isolation"]:F2} s");
        Assert.True(summary.Ledger.Lost == 0, $"{summary.Ledger.Lost} messages lost; dr said:\n{transcript}");
        Assert.Equal(0, summary.Ledger.UnexpectedDuplicates);
        Assert.True(summary.Passed);
        var report = await File.ReadAllTextAsync(Path.Combine(reports.Path, "report.md"));
        Assert.Contains("## Failover timeline", report);
        Assert.Contains("| first read in B |", report);
        Assert.Contains("Region B's own PSPs, answered by B from the isolation on:", report);
        Assert.True(File.Exists(Path.Combine(reports.Path, "throughput.png")));
        Assert.Contains("dr watch: started", await File.ReadAllTextAsync(Path.Combine(reports.Path, "dr.log")));
    }

    [Fact]
    public void TheFailoverScenarioNeedsARegionDeployment()
    {
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--scenario", "failover"]));
        using var empty = new TempDirectory("pix-bench-regions");
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--scenario", "failover", "--regions-state", empty.Path]));
    }
}
