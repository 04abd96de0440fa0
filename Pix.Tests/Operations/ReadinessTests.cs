using System.Net;
using System.Text.Json;
using Pix.Tests.Support;

namespace Pix.Tests.Operations;

/// <summary>/readyz tells the truth about storage: an immutable log directory (nothing can be created in it, even by
/// root) turns it 503 with the reason, and pix_storage_healthy 0; making it writable again turns both back.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task ReadyzTurns503WhenTheLogDirectoryBreaksAndBackWhenItHeals()
    {
        using var data = new TempDirectory("pix-ready");
        await using var server = await PixServerProcess.StartAsync("embedded", data.Path, ("Pix:Health:ProbeSeconds", "0.2"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var readyz = $"http://127.0.0.1:{server.AdminPort}/readyz";
        var metrics = $"http://127.0.0.1:{server.AdminPort}/metrics";
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(readyz)).StatusCode);
        Assert.Contains("pix_storage_healthy{otel_scope_name=\"Pix\"} 1", await http.GetStringAsync(metrics));

        var log = Path.Combine(data.Path, "log");
        var (code, output) = Shell.Run("chattr", $"+i {log}");
        Assert.True(code == 0, $"The test needs chattr on ext4 as root: {output}");
        try
        {
            await DrainTests.WaitUntilAsync(async () => (await http.GetAsync(readyz)).StatusCode == HttpStatusCode.ServiceUnavailable, 5);
            var broken = await http.GetAsync(readyz);
            using var report = JsonDocument.Parse(await broken.Content.ReadAsStringAsync());
            Assert.Equal("unavailable", report.RootElement.GetProperty("status").GetString());
            Assert.Contains(log, report.RootElement.GetProperty("reason").GetString());
            // /metrics caches a scrape for 300 ms.
            await DrainTests.WaitUntilAsync(async () => (await http.GetStringAsync(metrics)).Contains("pix_storage_healthy{otel_scope_name=\"Pix\"} 0"), 5);
            Assert.Contains("Storage unhealthy", server.Output);
        }
        finally
        {
            Shell.Run("chattr", $"-i {log}");
        }
        await DrainTests.WaitUntilAsync(async () => (await http.GetAsync(readyz)).StatusCode == HttpStatusCode.OK, 5);
        await DrainTests.WaitUntilAsync(async () => (await http.GetStringAsync(metrics)).Contains("pix_storage_healthy{otel_scope_name=\"Pix\"} 1"), 5);
    }
}
