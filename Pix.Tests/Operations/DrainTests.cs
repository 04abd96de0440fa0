using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Xunit.Abstractions;

namespace Pix.Tests.Operations;

/// <summary>SIGTERM drains the node: parked polls answered at once, in-flight work finished, connections closed
/// cleanly, nothing acknowledged lost, the process gone within <c>Pix:ShutdownSeconds</c>.</summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    private const string Spi = "00038166";

    [Fact]
    public async Task SigtermAnswersParkedPollsFinishesWorkClosesConnectionsAndExitsInTime()
    {
        using var data = new TempDirectory("pix-drain");
        var psp = ServerFixture.NewIspb();
        var server = await PixServerProcess.StartAsync("embedded", data.Path,
            ("Pix:Streams:LongPollSeconds", "30"), ("Pix:ShutdownSeconds", "10"), ("Pix:DrainSeconds", "2"));
        await using (server)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var writer = new IcomClient(server.Port);
            Assert.Equal(201, (await writer.PostAsync(Spi, TestMessages.Pacs008(Spi, "11111111"))).Status);

            var pollers = Enumerable.Range(0, 4).Select(_ => new IcomClient(server.Port)).ToArray();
            var polls = pollers.Select(p => p.StartAsync(psp)).ToArray();
            await WaitUntilAsync(async () => await OpenStreamsAsync(http, server, psp) == 4);
            // The streams are open; give the polls a moment to find their queue empty and park.
            await Task.Delay(300);
            Assert.All(polls, p => Assert.False(p.IsCompleted));

            var signalled = Stopwatch.StartNew();
            server.Signal("TERM");
            var answers = await Task.WhenAll(polls.Select(async p => (Response: await p, At: signalled.Elapsed)));
            output.WriteLine($"parked polls answered {string.Join(", ", answers.Select(a => $"{a.At.TotalMilliseconds:F0} ms"))} after SIGTERM");
            foreach (var (response, at) in answers)
            {
                Assert.Equal(204, response.Status);
                Assert.StartsWith($"/api/v1/out/{psp}/stream/", response.Header("PI-Pull-Next"));
                Assert.Equal("close", response.Header("Connection"));
                Assert.True(at < TimeSpan.FromSeconds(1), $"A parked poll was answered {at.TotalMilliseconds:F0} ms after SIGTERM.");
            }

            // Draining: not ready, new streams refused with Retry-After, ingest still stores (and is acknowledged).
            var ready = await http.GetAsync($"http://127.0.0.1:{server.AdminPort}/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using (var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
                Assert.Equal("draining", report.RootElement.GetProperty("status").GetString());
            using (var late = new IcomClient(server.Port))
            {
                var refused = await late.StartAsync(psp);
                Assert.Equal(503, refused.Status);
                Assert.Equal("1", refused.Header("Retry-After"));
            }
            var stored = await writer.PostAsync(Spi, TestMessages.Pacs008(Spi, "11111111"));
            Assert.Equal(201, stored.Status);
            Assert.Equal("close", stored.Header("Connection"));

            // An idle keep-alive connection is closed by the server with a FIN, not reset.
            using var idle = new IcomClient(server.Port);
            Assert.Equal(201, (await idle.PostAsync(Spi, TestMessages.Pacs008(Spi, "11111111"))).Status);
            Assert.True(await idle.Connection.IsClosedCleanlyAsync(TimeSpan.FromSeconds(10)), "The idle connection was reset or left open.");

            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(10) - signalled.Elapsed + TimeSpan.FromMilliseconds(500)),
                $"Still running {signalled.Elapsed.TotalSeconds:F1} s after SIGTERM.");
            Assert.Equal(0, server.ExitCode);
            output.WriteLine($"exited {signalled.Elapsed.TotalSeconds:F2} s after SIGTERM (Pix:DrainSeconds 2, Pix:ShutdownSeconds 10)");
            foreach (var poller in pollers) poller.Dispose();
        }

        // Everything acknowledged with 201, before and during the drain, is there after a restart.
        await using var again = await PixServerProcess.StartAsync("embedded", data.Path);
        using var client = new HttpClient();
        using var view = JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{again.AdminPort}/admin/v1/ispb/11111111"));
        Assert.Equal(3, view.RootElement.GetProperty("unacknowledged").GetInt64());
    }

    [Fact]
    public async Task ASecondSigtermExitsAtOnce()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:DrainSeconds", "8"), ("Pix:ShutdownSeconds", "10"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        server.Signal("TERM");
        await WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{server.AdminPort}/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var second = Stopwatch.StartNew();
        server.Signal("TERM");
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(2)), "A second SIGTERM did not end the process.");
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(2));
        output.WriteLine($"exited {second.Elapsed.TotalMilliseconds:F0} ms after the second SIGTERM");
        Assert.Equal(143, server.ExitCode);
    }

    private static async Task<int> OpenStreamsAsync(HttpClient http, PixServerProcess server, string ispb)
    {
        using var view = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/ispb/{ispb}"));
        return view.RootElement.GetProperty("openStreams").GetInt32();
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, double seconds = 10)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(seconds), "The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}
