using System.Text;
using Microsoft.AspNetCore.Connections;
using Pix.Server.Http;
using Pix.Tests.Support;

namespace Pix.Tests.Http;

/// <summary>
/// What one client can hold of the server: connections (in total and per client), a connection it sends slowly
/// (slowloris), a connection it does not read. Asserted on what the server counts (<see cref="ConnectionGate"/>,
/// <see cref="RetainedBuffers"/>) and on the connection being closed by the server.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private const string Get = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

    [Fact]
    public async Task AConnectionPastMaxConnectionsIsClosedAtAccept()
    {
        var gate = new ConnectionGate(maxConnections: 3, maxPerClient: 0);
        await using var server = await PixHttpTestServer.StartAsync(gate: gate);
        var held = new List<RawHttpConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = new RawHttpConnection(server.Port);
            Assert.Equal(200, (await connection.SendAsync(Get)).Status);
            held.Add(connection);
        }
        Assert.Equal(3, gate.Open);

        using (var fourth = new RawHttpConnection(server.Port))
        {
            Assert.True(await fourth.IsClosedByPeerAsync(Patience), "the fourth connection stayed open");
        }
        Assert.Equal(1, gate.RefusedOverLimit);
        Assert.Equal(3, gate.Open);

        held[0].Dispose();
        Assert.True(await Eventually.TrueAsync(() => gate.Open == 2, Patience));
        using var again = new RawHttpConnection(server.Port);
        Assert.Equal(200, (await again.SendAsync(Get)).Status);
        foreach (var connection in held) connection.Dispose();
        Assert.True(await Eventually.TrueAsync(() => gate.Open == 1, Patience));
    }

    [Fact]
    public async Task AConnectionPastTheClientsLimitIsClosedWhileOtherClientsAreServed()
    {
        // Without TLS the client is its address; every test connection comes from 127.0.0.1.
        var gate = new ConnectionGate(maxConnections: 0, maxPerClient: 2);
        await using var server = await PixHttpTestServer.StartAsync(gate: gate);
        using var first = new RawHttpConnection(server.Port);
        using var second = new RawHttpConnection(server.Port);
        Assert.Equal(200, (await first.SendAsync(Get)).Status);
        Assert.Equal(200, (await second.SendAsync(Get)).Status);
        using (var third = new RawHttpConnection(server.Port))
        {
            Assert.True(await third.IsClosedByPeerAsync(Patience), "the client's third connection stayed open");
        }
        Assert.Equal(1, gate.RefusedPerClient);

        second.Dispose();
        Assert.True(await Eventually.TrueAsync(() => gate.Open == 1, Patience));
        using var replacement = new RawHttpConnection(server.Port);
        Assert.Equal(200, (await replacement.SendAsync(Get)).Status);
    }

    [Fact]
    public async Task TheIdentityLayerDecidesWhichConnectionsCountTogether()
    {
        // The seam the identity layer fills (its certificate): here every connection is client "psp-a".
        var gate = new ConnectionGate(maxConnections: 0, maxPerClient: 1, new FixedKey("psp-a"));
        await using (var server = await PixHttpTestServer.StartAsync(gate: gate))
        {
            using var first = new RawHttpConnection(server.Port);
            Assert.Equal(200, (await first.SendAsync(Get)).Status);
            using var second = new RawHttpConnection(server.Port);
            Assert.True(await second.IsClosedByPeerAsync(Patience));
        }

        // No key (the client is not known by its connection): not counted per client.
        var uncounted = new ConnectionGate(maxConnections: 0, maxPerClient: 1, new FixedKey(null));
        await using (var server = await PixHttpTestServer.StartAsync(gate: uncounted))
        {
            using var first = new RawHttpConnection(server.Port);
            using var second = new RawHttpConnection(server.Port);
            Assert.Equal(200, (await first.SendAsync(Get)).Status);
            Assert.Equal(200, (await second.SendAsync(Get)).Status);
            Assert.Equal(0, uncounted.RefusedPerClient);
        }
    }

    [Fact]
    public async Task SlowSendersHoldNoLargeBuffersAndAreDroppedAtTheRequestTimeout()
    {
        var gate = new ConnectionGate(0, 0);
        var buffers = new RetainedBuffers();
        var limits = new HttpLimits { RequestTimeout = TimeSpan.FromSeconds(1.5) };
        await using var server = await PixHttpTestServer.StartAsync(limits, gate: gate, buffers: buffers);
        // Five trickle their head, five announce a mebibyte of body and trickle it.
        var clients = await SlowClient.SlowlorisAsync(server.Port, 10, "/in");
        var held = 0L;
        Assert.True(await Eventually.TrueAsync(() => (held = buffers.Bytes) > 0, Patience));
        // Each body sender has its first 4 KiB buffer at most, not the mebibyte it announced (and a head line that
        // straddled two pipe segments may hold a small copy).
        Assert.InRange(held, 1, 5 * 4096 + 4096);

        foreach (var client in clients) Assert.True(await client.ClosedByServer.WaitAsync(Patience), "a slow sender was not dropped");
        Assert.True(await Eventually.TrueAsync(() => gate.Open == 0, Patience));
        Assert.Equal(10, gate.RequestTimeouts);
        Assert.Equal(0, buffers.Bytes);
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task AClientThatStopsReadingIsDroppedAtTheWriteTimeout()
    {
        var gate = new ConnectionGate(0, 0);
        var limits = new HttpLimits { WriteTimeout = TimeSpan.FromMilliseconds(500) };
        await using var server = await PixHttpTestServer.StartAsync(limits, gate: gate);
        using var reader = await SlowClient.ConnectAsync(server.Port, receiveBufferBytes: 4096);
        // 64 MiB of answers, far more than the socket buffers hold: the server's flush must wait for a reader.
        reader.FloodWithoutReading(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET /large HTTP/1.1\r\nHost: h\r\n\r\n", 64))));

        Assert.True(await Eventually.TrueAsync(() => gate.WriteTimeouts == 1, Patience), "the stalled write was not timed out");
        Assert.True(await Eventually.TrueAsync(() => gate.Open == 0, Patience), "the connection was not closed");
        Assert.True(await reader.DrainUntilClosedAsync(Patience), "the server did not end the connection");

        // The server lives on.
        using var other = new RawHttpConnection(server.Port);
        Assert.Equal(200, (await other.SendAsync(Get)).Status);
    }

    [Fact]
    public async Task APipelineOfLargeAnswersIsFlushedAsItGoesNotHeldWhole()
    {
        // 16 pipelined 1 MiB answers for a client that reads them all: delivered in order, none lost.
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadResponsesAsync(server.Port,
            Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET /large HTTP/1.1\r\nHost: h\r\n\r\n", 16)) + Get), 17, Patience);
        Assert.Equal(Enumerable.Repeat(200, 17), RawHttpClient.StatusCodes(text));
    }

    private sealed class FixedKey(string? key) : IConnectionClientKey
    {
        public string? KeyOf(ConnectionContext connection) => key;
    }
}
