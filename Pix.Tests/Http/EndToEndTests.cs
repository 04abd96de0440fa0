using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>The layer behind a real Kestrel listener, spoken to over real sockets.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var requests = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
            "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n" +
            "DELETE /four HTTP/1.1\r\nHost: a\r\n\r\n";
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port, Encoding.ASCII.GetBytes(requests), 4);
        Assert.Equal([200, 200, 200, 200], RawHttpClient.StatusCodes(text));
        var one = text.IndexOf("Get /one 0", StringComparison.Ordinal);
        var two = text.IndexOf("Post /two 3 abc", StringComparison.Ordinal);
        var slow = text.IndexOf("Get /slow 0", StringComparison.Ordinal);
        var four = text.IndexOf("Delete /four 0", StringComparison.Ordinal);
        Assert.True(one >= 0 && one < two && two < slow && slow < four, text);
    }

    [Fact]
    public async Task ChunkedBodyIsReceived()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var request = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "6;ext=1\r\nhello \r\n5\r\nworld\r\n0\r\nTrailer-Field: x\r\n\r\n";
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port, Encoding.ASCII.GetBytes(request), 1);
        Assert.Contains("Post /c 11 hello world", text);
    }

    [Fact]
    public async Task ChunkedBodyArrivingInPiecesIsReceived()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var body = new string('x', 100_000);
        var request = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Range(0, 100).Select(_ => $"3e8\r\n{body[..1000]}\r\n")) + "0\r\n\r\n";
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port, Encoding.ASCII.GetBytes(request), 1);
        Assert.Contains("Post /c 100000 xxx", text);
    }

    [Fact]
    public async Task Http10ClosesUnlessKeepAlive()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port, "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n"u8.ToArray());
        Assert.Equal([200], RawHttpClient.StatusCodes(text));
        Assert.Contains("Connection: close", text);

        text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal([200, 200], RawHttpClient.StatusCodes(text));
        Assert.Contains("Connection: keep-alive", text);
    }

    public static TheoryData<string> SmugglingShapes => new()
    {
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nZ\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n1\r\nZ\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000000000000000000\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nFoo: bar\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nFoo: bar\rTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nFoo: bar\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\na\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nABCDE0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nFo@: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(SmugglingShapes))]
    public async Task SmugglingShapesGet400AndTheConnectionCloses(string raw)
    {
        await using var server = await PixHttpTestServer.StartAsync();
        // A valid request first: its answer must still go out before the 400.
        var bytes = Encoding.Latin1.GetBytes("GET /first HTTP/1.1\r\nHost: a\r\n\r\n" + raw + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port, bytes);
        Assert.Equal([200, 400], RawHttpClient.StatusCodes(text));
        Assert.Contains("Connection: close", text);
        Assert.Contains("Content-Type: application/problem+xml", text);
        Assert.DoesNotContain("/after", text);
    }

    [Fact]
    public async Task UnsupportedTransferCodingGets501()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"u8.ToArray());
        Assert.Equal([501], RawHttpClient.StatusCodes(text));
    }

    [Fact]
    public async Task LongRequestLineGets414()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            Encoding.ASCII.GetBytes("GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.Equal([414], RawHttpClient.StatusCodes(text));
        Assert.Contains("uriTooLong", text);
    }

    [Fact]
    public async Task LargeHeaderSectionGets431()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var headers = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Pad-{i}: {new string('p', 1000)}\r\n"));
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n"));
        Assert.Equal([431], RawHttpClient.StatusCodes(text));
        Assert.Contains("headersTooLarge", text);
    }

    [Fact]
    public async Task BodyOverTheLimitGets413()
    {
        await using var server = await PixHttpTestServer.StartAsync(new HttpLimits { MaxBodyBytes = 1000 });
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n"u8.ToArray());
        Assert.Equal([413], RawHttpClient.StatusCodes(text));
        Assert.Contains("payloadTooLarge", text);

        text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + new string('x', 1000) + "\r\n1\r\n"));
        Assert.Equal([413], RawHttpClient.StatusCodes(text));
    }

    [Fact]
    public async Task DefaultBodyLimitIsOneMebibyte()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n"u8.ToArray());
        Assert.Equal([413], RawHttpClient.StatusCodes(text));

        var body = new string('b', 1024 * 1024);
        text = await RawHttpClient.SendAndReadResponsesAsync(server.Port,
            Encoding.ASCII.GetBytes("POST /max HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n" + body), 1);
        Assert.Contains("Post /max 1048576 bbb", text);
    }

    [Fact]
    public async Task ChunkedBodyAtTheLimitIsReceivedThoughItsFramingExceedsTheTransportBuffer()
    {
        // 1 MiB of data in 8-byte chunks is more than 1 MiB on the wire (Kestrel's default read buffer): the body
        // must be consumed as it arrives, or the transport stops reading and the request never completes.
        await using var server = await PixHttpTestServer.StartAsync();
        var chunk = "8\r\n" + new string('c', 8) + "\r\n";
        var request = "POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Repeat(chunk, 128 * 1024)) + "0\r\n\r\n";
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port, Encoding.ASCII.GetBytes(request), 1);
        Assert.Contains("Post /big 1048576 ccc", text);
    }

    [Fact]
    public async Task ExpectContinueIsAnsweredBeforeTheBody()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
        await socket.SendAsync("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(buffer, 0, read));
        await socket.SendAsync("hello"u8.ToArray());
        read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
        Assert.Contains("Post /e 5 hello", Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task IdleAndSlowConnectionsAreClosed()
    {
        var limits = new HttpLimits { KeepAliveTimeout = TimeSpan.FromMilliseconds(300), RequestTimeout = TimeSpan.FromMilliseconds(600) };
        await using var server = await PixHttpTestServer.StartAsync(limits);

        Assert.Equal("", await RawHttpClient.SendAndReadToEndAsync(server.Port, [], TimeSpan.FromSeconds(5)));
        Assert.Equal("", await RawHttpClient.SendAndReadToEndAsync(server.Port, "GET / HTTP/1.1\r\nHost: a\r\n"u8.ToArray(), TimeSpan.FromSeconds(5)));

        // A sender that keeps dribbling bytes is still bound by the request timeout.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
        var closed = false;
        var started = DateTime.UtcNow;
        for (var i = 0; i < 50 && !closed; i++)
        {
            try
            {
                await socket.SendAsync(new[] { (byte)'X' });
                await Task.Delay(100);
                closed = socket.Poll(0, System.Net.Sockets.SelectMode.SelectRead) && socket.Available == 0;
            }
            catch (System.Net.Sockets.SocketException)
            {
                closed = true;
            }
        }
        Assert.True(closed, "the dribbling connection stayed open");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task ASlowApplicationIsNotCutByTheKeepAliveTimeout()
    {
        await using var server = await PixHttpTestServer.StartAsync(new HttpLimits { KeepAliveTimeout = TimeSpan.FromMilliseconds(700) });
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port,
            "GET /slower HTTP/1.1\r\nHost: a\r\n\r\nGET /slower HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(), 2);
        Assert.Equal([200, 200], RawHttpClient.StatusCodes(text));
    }

    [Fact]
    public async Task ApplicationFailureGets503WithRetryAfterAndClose()
    {
        // A fault of ours is 503 + Retry-After, never 500: the client may retry, and nothing was done.
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /throw HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.Equal([200, 503], RawHttpClient.StatusCodes(text));
        Assert.Contains("serviceUnavailable", text);
        Assert.Contains("Retry-After: 1\r\n", text);
        Assert.DoesNotContain("/never", text);

        // The server lives on.
        text = await RawHttpClient.SendAndReadResponsesAsync(server.Port, "GET /again HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(), 1);
        Assert.Contains("Get /again", text);
    }

    [Fact]
    public async Task AnApplicationThatDoesNotAnswerGets503AndClose()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "GET /silent HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.Equal([503], RawHttpClient.StatusCodes(text));
        Assert.Contains("Retry-After: 1\r\n", text);
        Assert.DoesNotContain("/never", text);
    }

    [Fact]
    public async Task RequestsWithoutFramingReachTheApplicationWithoutBody()
    {
        var seen = new RecordingApplication();
        await using var server = await PixHttpTestServer.StartAsync(application: seen);
        await RawHttpClient.SendAndReadResponsesAsync(server.Port,
            "POST /in HTTP/1.1\r\nHost: a\r\n\r\nPOST /in HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nX-Custom: 1\r\n\r\n"u8.ToArray(), 2);
        Assert.Equal([(false, false), (true, true)], seen.Requests);
    }

    private sealed class RecordingApplication : IHttpApplication
    {
        public List<(bool HasBodyFraming, bool HasUnlistedHeader)> Requests { get; } = [];

        public ValueTask HandleAsync(HttpRequest request, HttpResponse response)
        {
            Requests.Add((request.HasBodyFraming, request.HasUnlistedHeader));
            response.Complete(request.HasBodyFraming ? 200 : 411, default, default);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task AbortedIsSignalledWhenTheClientGoesAway()
    {
        var parked = new ParkingApplication();
        await using var server = await PixHttpTestServer.StartAsync(application: parked);
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
            await socket.SendAsync("GET /park HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            await parked.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.True(await parked.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed class ParkingApplication : IHttpApplication
    {
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask HandleAsync(HttpRequest request, HttpResponse response)
        {
            Arrived.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, request.Aborted);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
            }
            response.Complete(204, default, default);
        }
    }
}
