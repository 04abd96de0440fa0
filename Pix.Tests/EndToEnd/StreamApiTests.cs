using System.Diagnostics;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>The stream half of the ICOM contract, against a real server over real sockets.</summary>
public sealed class StreamApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Spi = "00038166";

    private async Task<List<string>> SendAsync(string to, int count, string prefix = "m")
    {
        using var client = new IcomClient(fixture.Port);
        var tags = new List<string>();
        for (var i = 0; i < count; i += 10)
        {
            var batch = Enumerable.Range(i, Math.Min(10, count - i)).Select(n => $"{prefix}{n}").ToList();
            var response = await client.PostMultipartAsync(Spi, batch.Select(tag => TestMessages.Pacs008(Spi, to, tag)));
            Assert.True(response.Status == 201, response.ToString());
            Assert.Equal(batch.Count, response.Header("PI-ResourceId")!.Split(',').Length);
            tags.AddRange(batch);
        }
        return tags;
    }

    [Fact]
    public async Task StartDeliversInArrivalOrderAndNextAcknowledges()
    {
        var psp = ServerFixture.NewIspb();
        var sent = await SendAsync(psp, 15);
        using var client = new IcomClient(fixture.Port);

        var first = await client.StartAsync(psp);
        Assert.Equal(200, first.Status);
        Assert.StartsWith("multipart/mixed", first.Header("Content-Type"));
        var firstBatch = IcomClient.Messages(first);
        Assert.Equal(sent.Take(10), firstBatch.Select(m => IcomClient.Tag(m.Xml)));
        Assert.All(firstBatch, m => Assert.StartsWith("UEkB", m.Id));
        Assert.All(firstBatch, m => Assert.Equal(32, m.Id.Length));

        var next = first.Header("PI-Pull-Next")!;
        Assert.StartsWith($"/api/v1/out/{psp}/stream/", next);
        var second = await client.GetAsync(next);
        Assert.Equal(sent.Skip(10), IcomClient.Messages(second).Select(m => IcomClient.Tag(m.Xml)));

        var third = await client.GetAsync(second.Header("PI-Pull-Next")!);
        Assert.Equal(204, third.Status);
        Assert.NotNull(third.Header("PI-Pull-Next"));
        Assert.Equal(0, await QueueDepthAsync(psp));
    }

    [Fact]
    public async Task SingleMessageModeWithoutAccept()
    {
        var psp = ServerFixture.NewIspb();
        var sent = await SendAsync(psp, 2);
        using var client = new IcomClient(fixture.Port);
        var first = await client.StartAsync(psp, multipart: false);
        Assert.Equal(200, first.Status);
        Assert.Equal("application/xml; charset=utf-8", first.Header("Content-Type"));
        Assert.StartsWith("UEkB", first.Header("PI-ResourceId"));
        Assert.Equal(sent[0], IcomClient.Tag(first.Text));
        var second = await client.GetAsync(first.Header("PI-Pull-Next")!, multipart: false);
        Assert.Equal(sent[1], IcomClient.Tag(second.Text));
    }

    [Fact]
    public async Task RepeatingThePreviousTokenReturnsTheSameBatchAndNextToken()
    {
        var psp = ServerFixture.NewIspb();
        await SendAsync(psp, 25);
        using var client = new IcomClient(fixture.Port);
        var first = await client.StartAsync(psp);
        var token1 = first.Header("PI-Pull-Next")!;
        var second = await client.GetAsync(token1);
        // The response to token1 was "lost": ask again.
        var again = await client.GetAsync(token1);
        Assert.Equal(200, again.Status);
        Assert.Equal(IcomClient.Messages(second), IcomClient.Messages(again));
        Assert.Equal(second.Header("PI-Pull-Next"), again.Header("PI-Pull-Next"));
        // Moving on acknowledges the second batch; the first token is now stale.
        var third = await client.GetAsync(second.Header("PI-Pull-Next")!);
        Assert.Equal(5, IcomClient.Messages(third).Count);
        var stale = await client.GetAsync(token1);
        Assert.Equal(410, stale.Status);
        Assert.Equal("application/problem+xml", stale.Header("Content-Type"));
        Assert.Contains("/gone</type>", stale.Text);
    }

    [Fact]
    public async Task SixStreamsThenTheSeventhGets429UntilOneIsDeleted()
    {
        // Idle expiry must not free a slot while the test opens the others.
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Streams:LongPollSeconds", "0.2"), ("Pix:Streams:IdleTimeoutSeconds", "60"));
        var psp = ServerFixture.NewIspb();
        var clients = Enumerable.Range(0, 7).Select(_ => new IcomClient(server.Port)).ToList();
        try
        {
            var tokens = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                var response = await clients[i].StartAsync(psp);
                Assert.Equal(204, response.Status);
                tokens.Add(response.Header("PI-Pull-Next")!);
            }
            var seventh = await clients[6].StartAsync(psp);
            Assert.Equal(429, seventh.Status);
            Assert.True(int.Parse(seventh.Header("Retry-After")!) >= 1);

            var deleted = await clients[0].DeleteAsync(tokens[0]);
            Assert.Equal(200, deleted.Status);
            Assert.Equal(410, (await clients[0].DeleteAsync(tokens[0])).Status);
            var retried = await clients[6].StartAsync(psp);
            Assert.Equal(204, retried.Status);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task SixConcurrentStreamsDeliverEveryMessageExactlyOnce()
    {
        var psp = ServerFixture.NewIspb();
        var sent = await SendAsync(psp, 5000);
        var received = new System.Collections.Concurrent.ConcurrentBag<(string Id, string Tag)>();
        var readers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            using var client = new IcomClient(fixture.Port);
            var response = await client.StartAsync(psp);
            while (response.Status == 200)
            {
                foreach (var (id, xml) in IcomClient.Messages(response)) received.Add((id, IcomClient.Tag(xml)));
                response = await client.GetAsync(response.Header("PI-Pull-Next")!);
            }
            Assert.Equal(204, response.Status);
            Assert.Equal(200, (await client.DeleteAsync(response.Header("PI-Pull-Next")!)).Status);
        })).ToArray();
        await Task.WhenAll(readers);

        var tags = received.Select(r => r.Tag).ToList();
        Assert.Equal(sent.Count, tags.Count);
        Assert.Equal(sent.OrderBy(t => t), tags.OrderBy(t => t));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        Assert.Equal(0, await QueueDepthAsync(psp));
    }

    [Fact]
    public async Task AnIdleStreamExpiresAndItsBatchIsRedeliveredWithTheSameIds()
    {
        var psp = ServerFixture.NewIspb();
        await SendAsync(psp, 3);
        using var abandoned = new IcomClient(fixture.Port);
        var first = await abandoned.StartAsync(psp);
        var ids = IcomClient.Messages(first).Select(m => m.Id).ToList();
        Assert.Equal(3, ids.Count);

        // Idle timeout is 2 s in this fixture; the sweep runs several times a second.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var fresh = new IcomClient(fixture.Port);
        var redelivered = await fresh.StartAsync(psp);
        Assert.Equal(ids, IcomClient.Messages(redelivered).Select(m => m.Id));
        Assert.Equal(410, (await abandoned.GetAsync(first.Header("PI-Pull-Next")!)).Status);
    }

    [Fact]
    public async Task ALongPollIsWokenByAPostNotByItsTimeout()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "20"));
        var psp = ServerFixture.NewIspb();
        using var reader = new IcomClient(server.Port);
        using var sender = new IcomClient(server.Port);
        // Open the stream with one message, so the next read parks.
        Assert.Equal(201, (await sender.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, "first"))).Status);
        var first = await reader.StartAsync(psp);
        Assert.Equal(200, first.Status);

        var read = reader.GetAsync(first.Header("PI-Pull-Next")!);
        await Task.Delay(300);
        Assert.False(read.IsCompleted, "the read should be parked while the queue is empty");
        var posted = Stopwatch.StartNew();
        Assert.Equal(201, (await sender.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, "wake"))).Status);
        var response = await read;
        var latency = posted.Elapsed;
        Assert.Equal(200, response.Status);
        Assert.Equal("wake", IcomClient.Tag(IcomClient.Messages(response).Single().Xml));
        // Woken by the POST, far before the 20 s timeout; the figure itself belongs to the benchmarks.
        Assert.True(latency < TimeSpan.FromSeconds(5), $"woken after {latency.TotalMilliseconds} ms");
        Console.WriteLine($"long poll woken {latency.TotalMilliseconds:F1} ms after the POST was answered");
    }

    [Fact]
    public async Task AConcurrentReadOnTheSameStreamGets409()
    {
        var psp = ServerFixture.NewIspb();
        using var a = new IcomClient(fixture.Port);
        using var b = new IcomClient(fixture.Port);
        await SendAsync(psp, 1);
        var first = await a.StartAsync(psp);
        var next = first.Header("PI-Pull-Next")!;
        var parked = a.GetAsync(next);
        await Task.Delay(200);
        var concurrent = await b.GetAsync(next);
        Assert.Equal(409, concurrent.Status);
        Assert.Equal(204, (await parked).Status);
    }

    [Fact]
    public async Task GzipResponsesWhenAsked()
    {
        var psp = ServerFixture.NewIspb();
        var sent = await SendAsync(psp, 4);
        using var client = new IcomClient(fixture.Port);
        var response = await client.StartAsync(psp, extraHeaders: "Accept-Encoding: gzip\r\n");
        Assert.Equal("gzip", response.Header("Content-Encoding"));
        Assert.Equal(sent, IcomClient.Messages(response).Select(m => IcomClient.Tag(m.Xml)));
    }

    private async Task<long> QueueDepthAsync(string ispb)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync($"http://127.0.0.1:{fixture.Server.AdminPort}/admin/v1/ispb/{ispb}");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("unacknowledged").GetInt64();
    }
}
