using System.Net;
using System.Text.Json;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>The operator listener: health, readiness, per-ISPB queue view and Prometheus metrics.</summary>
public sealed class OperatorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Spi = "00038166";

    private string Admin(string path) => $"http://127.0.0.1:{fixture.Server.AdminPort}{path}";

    [Fact]
    public async Task HealthReadinessAndTheQueueViewAnswer()
    {
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(Admin("/healthz")));
        using var ready = JsonDocument.Parse(await http.GetStringAsync(Admin("/readyz")));
        Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
        Assert.Equal("memory", ready.RootElement.GetProperty("storage").GetString());

        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(fixture.Port);
        Assert.Equal(201, (await client.PostMultipartAsync(Spi, Enumerable.Range(0, 3).Select(i => TestMessages.Pacs008(Spi, psp)))).Status);
        using var view = JsonDocument.Parse(await http.GetStringAsync(Admin($"/admin/v1/ispb/{psp}")));
        Assert.Equal(3, view.RootElement.GetProperty("unacknowledged").GetInt64());
        Assert.Equal(3, view.RootElement.GetProperty("queueDepth").GetInt64());
        Assert.Equal(0, view.RootElement.GetProperty("openStreams").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Admin("/admin/v1/ispb/bad"))).StatusCode);
    }

    [Fact]
    public async Task MetricsCarryRequestsAndPerIspbLag()
    {
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(fixture.Port);
        Assert.Equal(201, (await client.PostMultipartAsync(Spi, Enumerable.Range(0, 2).Select(i => TestMessages.Pacs008(Spi, psp)))).Status);
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(Admin("/metrics"));
        Assert.Contains("pix_requests_total{", metrics);
        Assert.Contains("route=\"in\"", metrics);
        Assert.Contains($"pix_queue_unacknowledged{{otel_scope_name=\"Pix\",ispb=\"{psp}\"}} 2", metrics);
        Assert.Contains($"ispb=\"{psp}\"", metrics[metrics.IndexOf("pix_queue_oldest_unacknowledged_age", StringComparison.Ordinal)..]);
        // The memory store has no fsync: the series is the embedded store's alone.
        Assert.DoesNotContain("pix_storage_fsync_duration", metrics);
    }
}
