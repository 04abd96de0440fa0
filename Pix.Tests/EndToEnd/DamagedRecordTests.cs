using System.Text;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>A stored message whose bytes rot on disk is left out of its batch (Pix-Skipped), the rest still go.</summary>
public sealed class DamagedRecordTests
{
    private const string Spi = "00038166";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADamagedRecordIsSkippedAndTheHealthyOnesAreDelivered(bool gzip)
    {
        await using var server = await PixServerProcess.StartAsync("embedded", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        var created = await client.PostMultipartAsync(Spi, new[] { "ok-1", "rotten", "ok-2" }.Select(tag => TestMessages.Pacs008(Spi, psp, tag)));
        Assert.Equal(201, created.Status);

        // Flip one byte inside the stored payload of "rotten", as a failing disk would.
        var segment = Directory.GetFiles(Path.Combine(server.DataDir, "log"), "*.seg").Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("tag rotten"));
        Assert.True(at > 0);
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = at;
            file.WriteByte((byte)'T');
        }

        var read = await client.StartAsync(psp, extraHeaders: gzip ? "Accept-Encoding: gzip\r\n" : "");
        Assert.Equal(200, read.Status);
        Assert.Equal("1", read.Header("Pix-Skipped"));
        Assert.Equal(["ok-1", "ok-2"], IcomClient.Messages(read).Select(m => IcomClient.Tag(m.Xml)));
        var ids = created.Header("PI-ResourceId")!.Split(',');
        Assert.Equal([ids[0], ids[2]], IcomClient.Messages(read).Select(m => m.Id));

        // Moving on acknowledges the batch: the damaged message is not retried forever.
        var next = await client.GetAsync(read.Header("PI-Pull-Next")!);
        Assert.Equal(204, next.Status);
        Assert.Null(next.Header("Pix-Skipped"));
    }
}
