using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary><c>Pix:Embedded:SegmentMB</c>: the embedded log's segment size (and the log a checkpoint covers).</summary>
public sealed class SegmentSizeTests
{
    private const string Spi = "00038166";
    private static readonly (string, string) OneMiB = ("Pix:Embedded:SegmentMB", "1");

    [Fact]
    public async Task OneMiBSegmentsRollTheLogAndEveryMessageSurvivesAKill()
    {
        using var data = new TempDirectory("pix-segment");
        var psp = ServerFixture.NewIspb();
        var log = Path.Combine(data.Path, "log");
        var posted = 0;
        await using (var server = await PixServerProcess.StartAsync("embedded", data.Path, OneMiB))
        {
            using var client = new IcomClient(server.Port);
            // Until the log spans three segments: two rolls, each with its checkpoint.
            while (Directory.GetFiles(log, "*.seg").Length < 3)
            {
                Assert.True(posted < 5_000, $"{posted} messages posted and the log has not rolled twice");
                var created = await client.PostMultipartAsync(Spi, Enumerable.Range(0, 10).Select(i => TestMessages.Pacs008(Spi, psp, $"s{posted + i}")));
                Assert.Equal(201, created.Status);
                posted += 10;
            }
            server.Kill();
        }

        await using (var server = await PixServerProcess.StartAsync("embedded", data.Path, OneMiB))
        {
            using var client = new IcomClient(server.Port);
            var ids = new HashSet<string>();
            var read = await client.StartAsync(psp);
            while (read.Status == 200)
            {
                foreach (var (id, _) in IcomClient.Messages(read)) Assert.True(ids.Add(id), $"{id} was delivered twice");
                read = await client.GetAsync(read.Header("PI-Pull-Next")!);
            }
            Assert.Equal(204, read.Status);
            Assert.Equal(posted, ids.Count);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2048")]
    public async Task ASegmentSizeOutsideOneTo1024MiBStopsTheStartWithItsName(string megabytes)
    {
        using var data = new TempDirectory("pix-segment");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("embedded", data.Path, ("Pix:Embedded:SegmentMB", megabytes)));
        Assert.Contains("Pix could not start", error.Message);
        Assert.Contains($"Pix:Embedded:SegmentMB is {megabytes}", error.Message);
    }
}
