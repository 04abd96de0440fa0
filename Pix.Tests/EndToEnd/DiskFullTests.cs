using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>When the disk fills up, ingest answers 503 with Retry-After and stores nothing, and reads go on.</summary>
public sealed class DiskFullTests
{
    private const string Spi = "00038166";

    [Fact]
    public async Task AFullDiskGets503WithRetryAfterAndReadsStillWork()
    {
        using var root = new TempDirectory("pix-full");
        var data = Path.Combine(root.Path, "data");
        Directory.CreateDirectory(data);
        Shell.MountSmallTmpfs(data, "3m");
        try
        {
            var psp = ServerFixture.NewIspb();
            await using var server = await PixServerProcess.StartAsync("embedded", data, ("Pix:Streams:LongPollSeconds", "0.2"));
            using var client = new IcomClient(server.Port);
            RawResponse? refused = null;
            var stored = 0;
            for (var i = 0; i < 2000 && refused is null; i++)
            {
                var response = await client.PostMultipartAsync(Spi, Enumerable.Range(0, 10).Select(n => TestMessages.Pacs008(Spi, psp, $"{i}-{n}")));
                if (response.Status == 201) stored += 10;
                else refused = response;
            }
            Assert.NotNull(refused);
            Assert.Equal(503, refused!.Status);
            Assert.Contains("/serviceUnavailable</type>", refused.Text);
            Assert.True(int.Parse(refused.Header("Retry-After")!) >= 1);
            Assert.True(stored > 0);

            // Reads go on: the stored messages are still delivered.
            using var reader = new IcomClient(server.Port);
            var read = await reader.StartAsync(psp);
            Assert.Equal(200, read.Status);
            Assert.Equal(10, IcomClient.Messages(read).Count);
            Assert.Contains("No space left", server.Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Shell.Run("umount", $"-l {data}");
        }
    }
}
