using System.Text;
using Pix.Tests.Http;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>
/// The HTTP edge of the real server (a child process), judged by what a client sees and by what the server reports
/// on its operator listener's <c>/metrics</c>: RFC framing on ICOM paths, slow senders and a client that does not
/// read dropped at their timeouts without holding buffers or threads, and the connection limit.
/// </summary>
public sealed class EdgeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HeadOnAnIcomPathIs405WithAllowAndNoBodyAndA204SaysNoLength()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        // HEAD is not GET here: a GET on a stream claims messages, which a HEAD (safe, RFC 9110 9.3.2) must not do.
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port, Encoding.ASCII.GetBytes(
            "HEAD /api/v1/out/12345678/stream/start HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n" +
            "GET /api/v1/out/12345678/stream/start HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\nConnection: close\r\n\r\n"), Patience);

        var second = text.IndexOf("HTTP/1.1 204", StringComparison.Ordinal);
        Assert.True(second > 0, text);
        var head = text[..second];
        Assert.StartsWith("HTTP/1.1 405 ", head);
        Assert.Contains("Allow: GET\r\n", head);
        Assert.Matches(@"Content-Length: [1-9]\d*\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);

        var noContent = text[second..];
        Assert.Contains("PI-Pull-Next: ", noContent);
        Assert.DoesNotContain("Content-Length", noContent);
        Assert.EndsWith("\r\n\r\n", noContent);
    }

    [Fact]
    public async Task SlowSendersAndAClientThatDoesNotReadAreDroppedAndHoldNothingAfter()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Limits:RequestTimeoutSeconds", "2"),
            ("Pix:Limits:WriteTimeoutSeconds", "2"));
        using var http = new HttpClient();
        async Task<string> Metrics() => await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/metrics");

        // Half trickle a head byte by byte; half announce a mebibyte of body and trickle it.
        var clients = await SlowClient.SlowlorisAsync(server.Port, 30, "/api/v1/in/00038166/msgs");
        // Tens of thousands of pipelined requests whose answers the client never reads: far more than socket buffers hold.
        using var nonReader = await SlowClient.ConnectAsync(server.Port, receiveBufferBytes: 4096);
        nonReader.FloodWithoutReading(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET /nowhere HTTP/1.1\r\nHost: pix\r\n\r\n", 60_000))));

        string during = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            during = await Metrics();
            return PrometheusText.Value(during, "pix_http_buffer_bytes") > 0;
        }, Patience), during);
        // However many are open at that moment (on a loaded machine the first may already be gone), the fifteen bodies
        // being trickled hold their first 4 KiB buffer each at most, not the 15 MiB they announced (plus a few bytes
        // where a head line straddled two pipe segments and was copied).
        Assert.InRange(PrometheusText.Value(during, "pix_http_buffer_bytes")!.Value, 1, 15 * 4096 + 4096);

        // The client that does not read is left alone until the server has given up on it (reading earlier would
        // let the stalled write finish).
        string after = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            after = await Metrics();
            return PrometheusText.Value(after, "pix_connections_open") == 0;
        }, Patience), after);
        Assert.Equal(30, PrometheusText.Value(after, "pix_connections_timed_out_total", ("phase", "request")));
        Assert.Equal(1, PrometheusText.Value(after, "pix_connections_timed_out_total", ("phase", "write")));
        Assert.Equal(0, PrometheusText.Value(after, "pix_http_buffer_bytes"));
        foreach (var client in clients) Assert.True(await client.ClosedByServer.WaitAsync(Patience), "a slow sender was not dropped");
        Assert.True(await nonReader.DrainUntilClosedAsync(Patience), "the client that does not read was not dropped");
        // Thirty slow clients at once did not take a thread each: waiting costs a pipe read, not a thread.
        // (The runtime's dotnet.thread_pool.thread.count, an up-down counter the exporter suffixes _total: a current count.)
        var threads = PrometheusText.Value(after, "dotnet_thread_pool_thread_count_total");
        Assert.NotNull(threads);
        Assert.True(threads < 30, $"{threads} thread-pool threads");
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task ConnectionsPastMaxConnectionsAreClosedAndCounted()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Limits:MaxConnections", "2"),
            ("Pix:Streams:LongPollSeconds", "0.1"));
        using var first = new IcomClient(server.Port);
        using var second = new IcomClient(server.Port);
        Assert.Equal(204, (await first.StartAsync("12345678")).Status);
        Assert.Equal(204, (await second.StartAsync("12345679")).Status);
        using (var third = new RawHttpConnection(server.Port))
        {
            Assert.True(await third.IsClosedByPeerAsync(Patience));
        }
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "pix_connections_refused_total", ("cause", "limit")));
        Assert.Equal(2, PrometheusText.Value(metrics, "pix_connections_open"));
        // The operator listener has its own connections: a full ICOM listener does not lock the operator out.
        Assert.Contains("pix_inflight_requests", metrics);
    }
}
