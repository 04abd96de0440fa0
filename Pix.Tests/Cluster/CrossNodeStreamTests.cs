using System.Diagnostics;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Xunit.Abstractions;
using static Pix.Tests.Cluster.ClusterCalls;

namespace Pix.Tests.Cluster;

/// <summary>
/// Every ICOM stream rule holds when the requests of one stream land on different nodes: two Pix processes share a
/// real Redis Cluster, and each request goes straight to the node the test names, on a fresh connection.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrossNodeStreamTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private int A => fixture.A.Port;
    private int B => fixture.B.Port;

    [Fact]
    public async Task TheSixStreamCapHoldsAcrossNodes()
    {
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, 7);
        // One message per start (no multipart), so every stream that opens has a batch and answers at once.
        var statuses = new List<int>();
        var opened = new List<RawResponse>();
        foreach (var port in new[] { A, A, A, A, B, B, B })
        {
            var response = await StartAsync(port, psp, multipart: false);
            statuses.Add(response.Status);
            if (response.Status == 200) opened.Add(response);
            else Assert.Equal("1", response.Header("Retry-After"));
        }
        Assert.Equal([200, 200, 200, 200, 200, 200, 429], statuses);

        // A slot freed through one node is free on the other: close a stream node A opened, through node B.
        Assert.Equal(200, (await DeleteAsync(B, Next(opened[0]))).Status);
        var seventh = await StartAsync(B, psp, multipart: false);
        Assert.Equal(200, seventh.Status);
        Assert.Single(Ids(seventh));
    }

    [Fact]
    public async Task TwoConcurrentReadsOfOneStreamOnDifferentNodesConflict()
    {
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, 1);
        var start = await StartAsync(A, psp);
        Assert.Equal(200, start.Status);
        var token = Next(start);

        // Both acknowledge batch 1 and would wait on an empty queue: whichever reaches the store first holds the
        // stream's lease for its long poll, and the other, on the other node, is refused.
        var reads = await Task.WhenAll(GetAsync(A, token), GetAsync(B, token));
        var statuses = reads.Select(r => r.Status).Order().ToArray();
        Assert.Equal([204, 409], statuses);

        // The refused read changed nothing: the winner's next token carries on, on either node.
        var winner = reads.Single(r => r.Status == 204);
        await PostAsync(B, psp, 1);
        var after = await GetAsync(B, Next(winner));
        Assert.Equal(200, after.Status);
        Assert.Single(Ids(after));
    }

    [Fact]
    public async Task ATokenMintedByOneNodeWorksOnTheOther()
    {
        var psp = ServerFixture.NewIspb();
        var posted = await PostAsync(A, psp, 15);
        var first = await StartAsync(A, psp);
        Assert.Equal(posted[..10], Ids(first));

        // Advance through B on A's token; repeat through A: the same batch, the same ids, the same next token.
        var second = await GetAsync(B, Next(first));
        Assert.Equal(200, second.Status);
        Assert.Equal(posted[10..], Ids(second));
        var repeated = await GetAsync(A, Next(first));
        Assert.Equal(200, repeated.Status);
        Assert.Equal(Ids(second), Ids(repeated));
        Assert.Equal(Next(second), Next(repeated));

        // And the other way round.
        var more = await PostAsync(B, psp, 3);
        var third = await GetAsync(A, Next(second));
        Assert.Equal(more, Ids(third));
        var thirdAgain = await GetAsync(B, Next(second));
        Assert.Equal(more, Ids(thirdAgain));
        Assert.Equal(Next(third), Next(thirdAgain));

        Assert.Equal(200, (await DeleteAsync(B, Next(third))).Status);
        var view = await ViewAsync(fixture.A, psp);
        Assert.Equal((0L, 0L, 0), view);
    }

    [Fact]
    public async Task AParkedPollOnOneNodeWakesWhenAnotherNodeStores()
    {
        // The parked side long-polls 10 s, so "woken" and "answered at the deadline" cannot be confused on busy cores.
        const double parkedLongPoll = 10;
        await using var parked = await PixNodes.StartNodeAsync(fixture.Redis,
            [.. ClusterFixture.Settings, ("Pix:Streams:LongPollSeconds", "10"), ("Pix:Streams:IdleTimeoutSeconds", "30")]);
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, 1);
        var token = Next(await StartAsync(parked.Port, psp));
        var wakes = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var read = Task.Run(() => GetAsync(parked.Port, token));
            await Task.Delay(200);
            var clock = Stopwatch.StartNew();
            var posted = await PostAsync(B, psp, 1, tag: $"wake {round}");
            var stored = clock.Elapsed.TotalMilliseconds;
            var response = await read;
            var answered = clock.Elapsed.TotalMilliseconds;
            Assert.Equal(200, response.Status);
            Assert.Equal(posted, Ids(response));
            Assert.True(answered < parkedLongPoll * 1000 / 2,
                $"the parked poll answered {answered:F0} ms after B's POST: that is the long poll's end, not a wake-up");
            wakes.Add(answered - stored);
            output.WriteLine($"round {round}: B's 201 after {stored:F1} ms, the parked poll answered {answered:F1} ms after the POST was sent");
            token = Next(response);
        }
        output.WriteLine($"the parked poll's answer after B's 201: min {wakes.Min():F1} ms, max {wakes.Max():F1} ms");
    }

    [Fact]
    public async Task ADeadNodesStreamIsUsableAgainWithinTheLongPollPlusTheMargin()
    {
        // A third node that dies holding a lease; it long-polls 1 s, so its lease lasts 1 + 2 s (the engine's margin).
        const double deadLongPoll = 1;
        await using var doomed = await PixNodes.StartNodeAsync(fixture.Redis,
            [.. ClusterFixture.Settings, ("Pix:Streams:LongPollSeconds", "1"), ("Pix:Streams:IdleTimeoutSeconds", "30")]);
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, 1);
        var start = await StartAsync(doomed.Port, psp);
        var token = Next(start);
        using var parkedClient = new IcomClient(doomed.Port);
        parkedClient.Connection.Send($"GET {token} HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n");
        // The stream is this psp's first, so its id is 1; its lease holder shows in Redis once the read parked.
        await WaitUntilAsync(() => StreamField(fixture.Redis, psp, 1, "l") is not ("0" or ""), TimeSpan.FromSeconds(10), "the doomed node's read never took the lease");
        doomed.Kill();
        var clock = Stopwatch.StartNew();

        var refused = 0;
        var lastRefusedSentAt = 0.0;
        RawResponse response;
        double free;
        while (true)
        {
            // Times are when a read was sent, not answered: a slow round trip on busy cores does not count.
            free = clock.Elapsed.TotalSeconds;
            response = await GetAsync(A, token);
            if (response.Status != 409) break;
            refused++;
            lastRefusedSentAt = free;
            Assert.True(clock.Elapsed.TotalSeconds < 30, "the dead node's lease never ended");
            await Task.Delay(100);
        }
        output.WriteLine($"refused {refused} times (409), the last one sent {lastRefusedSentAt:F2} s after the holder was killed; " +
                         $"node A took the stream with a read sent at {free:F2} s");
        Assert.True(refused > 0, "node A never saw the dead node's lease: the test proved nothing");
        // The dead node had acknowledged batch 1 and advanced; A's token is now the previous one: it repeats the
        // (empty) batch and the stream carries on.
        Assert.Equal(204, response.Status);
        // No read sent after the lease's end (long poll + the 2 s margin, counted from before the kill) was refused.
        Assert.True(lastRefusedSentAt < deadLongPoll + 2, $"a read sent {lastRefusedSentAt:F2} s after the kill was still refused");
        await PostAsync(B, psp, 1);
        Assert.Equal(200, (await GetAsync(B, Next(response))).Status);
    }

    [Fact]
    public async Task AnIdleStreamExpiresOnceWhicheverNodeGetsThere()
    {
        var psp = ServerFixture.NewIspb();
        var posted = await PostAsync(A, psp, 2);
        var start = await StartAsync(A, psp);
        Assert.Equal(posted, Ids(start));
        // Walk away. Both nodes' reapers look every quarter second; the deadline is in Redis.
        await WaitUntilAsync(async () => (await ViewAsync(fixture.B, psp)).OpenStreams == 0,
            TimeSpan.FromSeconds(ClusterFixture.IdleTimeoutSeconds + 10), "the idle stream was never expired");
        await Task.Delay(1000);
        Assert.Equal(1, fixture.Nodes.LogCount($"Stream 1 of {psp} expired after idling"));

        // Its batch is back at the head of the queue, under the same ids, on any node.
        var again = await StartAsync(B, psp);
        Assert.Equal(posted, Ids(again));
        Assert.Equal(410, (await GetAsync(A, Next(start))).Status);
    }

    [Fact]
    public async Task AStreamInUseThroughOneNodeIsNotExpiredByAnother()
    {
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, 1);
        var token = Next(await StartAsync(A, psp));
        // Long polls through A only, for longer than the idle timeout; B's reaper runs all along.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < ClusterFixture.IdleTimeoutSeconds * 1.75)
        {
            var read = await GetAsync(A, token);
            Assert.Equal(204, read.Status);
            token = Next(read);
        }
        Assert.Equal(1, (await ViewAsync(fixture.B, psp)).OpenStreams);
        Assert.Equal(0, fixture.Nodes.LogCount($"of {psp} expired"));
        await PostAsync(B, psp, 1);
        Assert.Equal(200, (await GetAsync(B, token)).Status);
    }

    [Fact]
    public async Task DeduplicationIsShared()
    {
        var psp = ServerFixture.NewIspb();
        var xml = TestMessages.Pacs008(Spi, psp);
        using var a = new IcomClient(A);
        using var b = new IcomClient(B);
        var first = await a.PostAsync(Spi, xml);
        var again = await b.PostAsync(Spi, xml);
        Assert.Equal(201, first.Status);
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Header("PI-ResourceId"), again.Header("PI-ResourceId"));
        Assert.Equal(1, (await ViewAsync(fixture.B, psp)).Unacknowledged);
    }

    [Fact]
    public async Task ThroughHaProxyEveryNodeServesTheSameStream()
    {
        var psp = ServerFixture.NewIspb();
        var posted = await PostAsync(fixture.Nodes.ProxyPort, psp, 30);
        var before = await Task.WhenAll(fixture.Nodes.Nodes.Select(PixNodes.RequestsServedAsync));
        // A fresh connection per request: HAProxy hands them out round-robin, so the chain hops between nodes.
        var received = new List<string>();
        var response = await StartAsync(fixture.Nodes.ProxyPort, psp);
        while (response.Status == 200)
        {
            received.AddRange(Ids(response));
            response = await GetAsync(fixture.Nodes.ProxyPort, Next(response));
        }
        Assert.Equal(204, response.Status);
        Assert.Equal(posted, received);
        // The exporter serves a scrape from a cache for a moment.
        await Task.Delay(500);
        var after = await Task.WhenAll(fixture.Nodes.Nodes.Select(PixNodes.RequestsServedAsync));
        output.WriteLine($"requests served before: {string.Join(", ", before)}; after: {string.Join(", ", after)}");
        Assert.All(after.Zip(before), pair => Assert.True(pair.First > pair.Second, "a node served none of the chain's requests"));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string failure) =>
        await WaitUntilAsync(() => Task.FromResult(condition()), timeout, failure);

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, failure);
            await Task.Delay(50);
        }
    }
}
