using System.Text;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>Every row of the status table in icom-api.md that a request can provoke, against a real server.</summary>
public sealed class StatusTableTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Spi = "00038166";

    private IcomClient Client() => new(fixture.Port);

    private static void AssertProblem(RawResponse response, int status, string name)
    {
        Assert.True(response.Status == status, response.ToString());
        Assert.Equal("application/problem+xml", response.Header("Content-Type"));
        Assert.Contains($"<type>https://icom.pi.rsfn.net.br/api/v1/error/{name}</type>", response.Text);
        Assert.Contains("<problem xmlns=\"urn:ietf:rfc:7807\">", response.Text);
    }

    [Fact]
    public async Task Created201CarriesOneResourceIdPerMessageInPartOrder()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var xmls = Enumerable.Range(0, 3).Select(i => TestMessages.Pacs008(Spi, psp, $"p{i}")).ToList();
        var response = await client.PostMultipartAsync(Spi, xmls);
        Assert.Equal(201, response.Status);
        var ids = response.Header("PI-ResourceId")!.Split(',');
        Assert.Equal(3, ids.Distinct().Count());
        var read = await client.StartAsync(psp);
        Assert.Equal(ids, IcomClient.Messages(read).Select(m => m.Id));
    }

    [Fact]
    public async Task ADuplicateBizMsgIdrGetsTheOriginalIdAndIsNotStoredTwice()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var id = TestMessages.BizMsgIdr(Spi);
        var first = await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, "one", id));
        var again = await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, "one", id));
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Header("PI-ResourceId"), again.Header("PI-ResourceId"));
        var read = await client.StartAsync(psp);
        Assert.Single(IcomClient.Messages(read));
    }

    [Fact]
    public async Task NoContent204AfterTheLongPoll()
    {
        using var client = Client();
        var response = await client.StartAsync(ServerFixture.NewIspb());
        Assert.Equal(204, response.Status);
        Assert.Empty(response.Body);
        Assert.NotNull(response.Header("PI-Pull-Next"));
    }

    [Theory]
    [InlineData("multipart/mixed; boundary=b", "--b\r\nContent-Type: application/xml\r\n\r\n<a/>")]           // no closing delimiter
    [InlineData("multipart/mixed; boundary=b", "--b--\r\n")]                                                      // no part
    [InlineData("multipart/mixed; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n")]      // part not XML
    [InlineData("multipart/mixed", "--b\r\nContent-Type: application/xml\r\n\r\n<a/>\r\n--b--\r\n")]              // no boundary
    public async Task BadRequest400ForMalformedMultipart(string contentType, string body)
    {
        using var client = Client();
        var response = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", Encoding.UTF8.GetBytes(body), $"Content-Type: {contentType}\r\n");
        AssertProblem(response, 400, "badRequest");
    }

    [Fact]
    public async Task BadRequest400ForElevenParts()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var response = await client.PostMultipartAsync(Spi, Enumerable.Range(0, 11).Select(i => TestMessages.Pacs008(Spi, psp, $"x{i}")));
        AssertProblem(response, 400, "badRequest");
        Assert.Equal(204, (await client.StartAsync(psp)).Status);
    }

    [Fact]
    public async Task BadRequest400ForBrokenGzip()
    {
        using var client = Client();
        var response = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", [0x1f, 0x8b, 8, 0, 1, 2, 3], "Content-Type: application/xml\r\nContent-Encoding: gzip\r\n");
        AssertProblem(response, 400, "badRequest");
    }

    [Fact]
    public async Task Charset400ForAnotherCharsetOrInvalidUtf8()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var latin = await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp), "application/xml; charset=iso-8859-1");
        AssertProblem(latin, 400, "charset");
        var bytes = Encoding.UTF8.GetBytes(TestMessages.Pacs008(Spi, psp, "caf\u00e9"));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at] = 0xFF;
        var invalid = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", bytes, "Content-Type: application/xml\r\n");
        AssertProblem(invalid, 400, "charset");
    }

    [Fact]
    public async Task Forbidden403WhenFrDiffersFromThePath()
    {
        using var client = Client();
        var response = await client.PostAsync("12345678", TestMessages.Pacs008(Spi, ServerFixture.NewIspb()));
        AssertProblem(response, 403, "forbidden");
    }

    [Fact]
    public async Task Forbidden403ForATokenUsedUnderAnotherIspb()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var start = await client.StartAsync(psp);
        var token = start.Header("PI-Pull-Next")!.Split('/').Last();
        var response = await client.GetAsync($"/api/v1/out/{ServerFixture.NewIspb()}/stream/{token}");
        AssertProblem(response, 403, "forbidden");
    }

    [Theory]
    [InlineData("/api/v1/in/00038166/other")]
    [InlineData("/api/v2/in/00038166/msgs")]
    [InlineData("/api/v1/out/abc/stream/start")]
    [InlineData("/")]
    public async Task NotFound404ForUnknownPaths(string path)
    {
        using var client = Client();
        AssertProblem(await client.GetAsync(path), 404, "notFound");
    }

    [Fact]
    public async Task NotFound404ForAMalformedOrForgedToken()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        AssertProblem(await client.GetAsync($"/api/v1/out/{psp}/stream/not-a-token"), 404, "notFound");
        var start = await client.StartAsync(psp);
        var token = start.Header("PI-Pull-Next")!;
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        AssertProblem(await client.GetAsync(forged), 404, "notFound");
    }

    [Fact]
    public async Task MethodNotAllowed405WithAllow()
    {
        using var client = Client();
        var get = await client.GetAsync($"/api/v1/in/{Spi}/msgs");
        AssertProblem(get, 405, "methodNotAllowed");
        Assert.Equal("POST", get.Header("Allow"));
        var post = await client.SendAsync("POST", $"/api/v1/out/{Spi}/stream/start", [], "Content-Type: application/xml\r\n");
        AssertProblem(post, 405, "methodNotAllowed");
    }

    [Fact]
    public async Task NotAcceptable406ForAnotherAccept()
    {
        using var client = Client();
        var response = await client.StartAsync(ServerFixture.NewIspb(), multipart: false, extraHeaders: "Accept: application/json\r\n");
        AssertProblem(response, 406, "notAcceptable");
    }

    [Fact]
    public async Task LengthRequired411WithoutFraming()
    {
        using var client = Client();
        client.Connection.Send($"POST /api/v1/in/{Spi}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: application/xml\r\n\r\n");
        AssertProblem(await client.Connection.ReadAsync(), 411, "lengthRequired");
    }

    [Fact]
    public async Task PayloadTooLarge413OverTheLimitAlsoAfterGunzip()
    {
        using var client = Client();
        var big = new string(' ', 250_000);
        var raw = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", Encoding.UTF8.GetBytes(big), "Content-Type: application/xml\r\n");
        AssertProblem(raw, 413, "payloadTooLarge");
        using var second = Client();
        // 10 MB of spaces gzip to ~10 KB: the bomb is stopped at the 200 KB limit.
        var bomb = IcomClient.Gzip(new byte[10_000_000]);
        var inflated = await second.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", bomb, "Content-Type: application/xml\r\nContent-Encoding: gzip\r\n");
        AssertProblem(inflated, 413, "payloadTooLarge");
    }

    [Fact]
    public async Task UriTooLong414AndHeadersTooLarge431()
    {
        using var client = Client();
        var uri = await client.GetAsync("/api/v1/out/" + new string('a', 9000));
        Assert.Equal(414, uri.Status);
        using var second = Client();
        var headers = await second.GetAsync($"/api/v1/out/{Spi}/stream/start", extraHeaders: "User-Agent: " + new string('a', 33_000) + "\r\n");
        Assert.Equal(431, headers.Status);
    }

    [Fact]
    public async Task UnsupportedMediaType415ForContentTypeOrEncoding()
    {
        using var client = Client();
        var xml = TestMessages.Pacs008(Spi, ServerFixture.NewIspb());
        AssertProblem(await client.PostAsync(Spi, xml, "application/json"), 415, "unsupportedMediaType");
        var br = await client.SendAsync("POST", $"/api/v1/in/{Spi}/msgs", Encoding.UTF8.GetBytes(xml), "Content-Type: application/xml\r\nContent-Encoding: br\r\n");
        AssertProblem(br, 415, "unsupportedMediaType");
    }

    [Fact]
    public async Task TooManyRequests429WhenTheSendersBucketIsEmpty()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:RateLimit:Capacity", "5"), ("Pix:RateLimit:RefillPerSecond", "0.5"));
        using var client = new IcomClient(server.Port);
        var psp = ServerFixture.NewIspb();
        var statuses = new List<int>();
        RawResponse? limited = null;
        for (var i = 0; i < 7; i++)
        {
            var response = await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, $"r{i}"));
            statuses.Add(response.Status);
            if (response.Status == 429) limited = response;
        }
        Assert.Equal(5, statuses.Count(s => s == 201));
        Assert.NotNull(limited);
        AssertProblem(limited!, 429, "tooManyRequests");
        Assert.True(int.Parse(limited!.Header("Retry-After")!) >= 1);
    }

    [Fact]
    public async Task TooManyRequests429WhenTheReceiverLagsUntilItCatchesUp()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Limits:MaxBacklog", "20"), ("Pix:Streams:LongPollSeconds", "0.2"));
        using var client = new IcomClient(server.Port);
        var psp = ServerFixture.NewIspb();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(201, (await client.PostMultipartAsync(Spi, Enumerable.Range(0, 10).Select(n => TestMessages.Pacs008(Spi, psp)))).Status);
        }
        var lagging = await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp));
        AssertProblem(lagging, 429, "tooManyRequests");
        Assert.Contains("backlog", lagging.Text);
        Assert.Equal("1", lagging.Header("Retry-After"));
        // Another receiver is not held back by this one.
        Assert.Equal(201, (await client.PostAsync(Spi, TestMessages.Pacs008(Spi, ServerFixture.NewIspb()))).Status);

        var read = await client.StartAsync(psp);
        var next = await client.GetAsync(read.Header("PI-Pull-Next")!);
        await client.GetAsync(next.Header("PI-Pull-Next")!);
        Assert.Equal(201, (await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp))).Status);
    }

    [Fact]
    public async Task ChunkedBodiesAreAccepted()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var xml = Encoding.UTF8.GetBytes(TestMessages.Pacs008(Spi, psp, "chunked"));
        var half = xml.Length / 2;
        var head = $"POST /api/v1/in/{Spi}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
        var body = new List<byte>();
        body.AddRange(Encoding.ASCII.GetBytes($"{half:x}\r\n")); body.AddRange(xml[..half]); body.AddRange("\r\n"u8.ToArray());
        body.AddRange(Encoding.ASCII.GetBytes($"{xml.Length - half:x};ext=1\r\n")); body.AddRange(xml[half..]); body.AddRange("\r\n0\r\n\r\n"u8.ToArray());
        client.Connection.Send([.. Encoding.ASCII.GetBytes(head), .. body]);
        Assert.Equal(201, (await client.Connection.ReadAsync()).Status);
        var read = await client.StartAsync(psp);
        Assert.Equal("chunked", IcomClient.Tag(IcomClient.Messages(read).Single().Xml));
    }

    [Fact]
    public async Task GzipMultipartBodiesAreAccepted()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var response = await client.PostMultipartAsync(Spi, [TestMessages.Pacs008(Spi, psp, "g1"), TestMessages.Pacs008(Spi, psp, "g2")], gzip: true);
        Assert.Equal(201, response.Status);
        var read = await client.StartAsync(psp);
        Assert.Equal(["g1", "g2"], IcomClient.Messages(read).Select(m => IcomClient.Tag(m.Xml)));
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        using var client = Client();
        var psp = ServerFixture.NewIspb();
        var requests = new StringBuilder();
        for (var i = 0; i < 5; i++)
        {
            var xml = TestMessages.Pacs008(Spi, psp, $"pipe{i}");
            requests.Append($"POST /api/v1/in/{Spi}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(xml)}\r\n\r\n{xml}");
            requests.Append($"GET /nowhere/{i} HTTP/1.1\r\nHost: pix\r\n\r\n");
        }
        client.Connection.Send(requests.ToString());
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await client.Connection.ReadAsync();
            Assert.Equal(201, created.Status);
            ids.Add(created.Header("PI-ResourceId")!);
            var missing = await client.Connection.ReadAsync();
            Assert.Equal(404, missing.Status);
        }
        var read = await client.StartAsync(psp);
        var messages = IcomClient.Messages(read);
        Assert.Equal(ids, messages.Select(m => m.Id));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"pipe{i}"), messages.Select(m => IcomClient.Tag(m.Xml)));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    [InlineData("Content-Length: +5\r\n")]
    [InlineData("Transfer-Encoding: chunked, identity\r\n")]
    [InlineData("Transfer-Encoding : chunked\r\n")]
    [InlineData("X-Folded: a\r\n b\r\nContent-Length: 5\r\n")]
    public async Task SmugglingShapesGet400AndTheConnectionCloses(string framing)
    {
        using var client = Client();
        client.Connection.Send($"POST /api/v1/in/{Spi}/msgs HTTP/1.1\r\nHost: pix\r\nContent-Type: application/xml\r\n{framing}\r\n0\r\n\r\n");
        var response = await client.Connection.ReadAsync();
        Assert.True(response.Status is 400 or 501, response.ToString());
        Assert.True(await client.Connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(5)), "the connection should close after a framing error");
    }
}
