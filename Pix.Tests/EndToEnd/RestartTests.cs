using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>Streams, claims and acknowledgements outlive a kill -9 of the server on the embedded store.</summary>
public sealed class RestartTests
{
    private const string Spi = "00038166";

    [Fact]
    public async Task AStreamAndItsTokensSurviveAKillAndTheLostBatchComesBackWithTheSameIds()
    {
        using var data = new TempDirectory("pix-restart");
        var psp = ServerFixture.NewIspb();
        string token1;
        List<string> batch2;
        List<string> batch1;
        await using (var server = await PixServerProcess.StartAsync("embedded", data.Path))
        {
            using var client = new IcomClient(server.Port);
            var created = await client.PostMultipartAsync(Spi, Enumerable.Range(0, 10).Select(i => TestMessages.Pacs008(Spi, psp, $"a{i}")));
            Assert.Equal(201, created.Status);
            Assert.Equal(201, (await client.PostMultipartAsync(Spi, Enumerable.Range(0, 5).Select(i => TestMessages.Pacs008(Spi, psp, $"b{i}")))).Status);
            var first = await client.StartAsync(psp);
            batch1 = IcomClient.Messages(first).Select(m => m.Id).ToList();
            token1 = first.Header("PI-Pull-Next")!;
            // This read acknowledges batch 1 and claims batch 2; pretend its answer is lost in the crash.
            var second = await client.GetAsync(token1);
            batch2 = IcomClient.Messages(second).Select(m => m.Id).ToList();
            Assert.Equal(5, batch2.Count);
            server.Kill();
        }

        await using (var server = await PixServerProcess.StartAsync("embedded", data.Path))
        {
            using var client = new IcomClient(server.Port);
            var repeated = await client.GetAsync(token1);
            Assert.Equal(200, repeated.Status);
            Assert.Equal(batch2, IcomClient.Messages(repeated).Select(m => m.Id));
            var after = await client.GetAsync(repeated.Header("PI-Pull-Next")!);
            Assert.Equal(204, after.Status);
            using var other = new IcomClient(server.Port);
            var fresh = await other.StartAsync(psp);
            Assert.Equal(204, fresh.Status); // batch 1 was acknowledged before the kill: never again
            Assert.DoesNotContain(IcomClient.Messages(fresh).Select(m => m.Id), batch1.Contains);
        }
    }

    [Fact]
    public async Task ASecondServerOnTheSameDataDirectoryRefusesToStart()
    {
        using var data = new TempDirectory("pix-lock");
        await using var first = await PixServerProcess.StartAsync("embedded", data.Path);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PixServerProcess.StartAsync("embedded", data.Path));
        Assert.Contains(data.Path, error.Message);
        Assert.Contains("Pix could not start", error.Message);
    }
}
