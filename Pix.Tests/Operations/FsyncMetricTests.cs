using Pix.Tests.Support;

namespace Pix.Tests.Operations;

/// <summary>pix.storage.fsync.duration: one sample per group commit of the embedded store, so its count matches
/// pix_storage_fsyncs_total and its sum is the time the disk took; the 201s waited at least that long.</summary>
public sealed class FsyncMetricTests
{
    private const string Spi = "00038166";

    [Fact]
    public async Task EveryGroupCommitIsTimedAndTheAppendWaitedAtLeastThatLong()
    {
        using var data = new TempDirectory("pix-fsync-metric");
        await using var server = await PixServerProcess.StartAsync("embedded", data.Path);
        using var client = new IcomClient(server.Port);
        const int posts = 20;
        for (var i = 0; i < posts; i++)
            Assert.Equal(201, (await client.PostMultipartAsync(Spi, [TestMessages.Pacs008(Spi, "12345678")])).Status);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // /metrics caches a scrape for 300 ms: wait for one taken after the last group.
        string metrics = "";
        await DrainTests.WaitUntilAsync(async () =>
        {
            metrics = await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/metrics");
            return PrometheusText.Value(metrics, "pix_storage_append_duration_seconds_count") == posts;
        }, 5);

        var fsyncs = PrometheusText.Value(metrics, "pix_storage_fsyncs_total");
        var timed = PrometheusText.Value(metrics, "pix_storage_fsync_duration_seconds_count");
        // One request at a time and no stream open: each append is a group of its own, and nothing else writes.
        Assert.Equal(posts, fsyncs);
        Assert.Equal(fsyncs, timed);
        Assert.Equal(timed, PrometheusText.Value(metrics, "pix_storage_fsync_duration_seconds_bucket", ("le", "+Inf")));
        var disk = PrometheusText.Value(metrics, "pix_storage_fsync_duration_seconds_sum")!.Value;
        var appends = PrometheusText.Value(metrics, "pix_storage_append_duration_seconds_sum")!.Value;
        Assert.True(disk > 0, "the group commits took no time");
        // Each append's time holds its own group's write and fsync.
        Assert.True(appends >= disk, $"the appends waited {appends} s in all, less than their groups' {disk} s on the disk");
    }
}
