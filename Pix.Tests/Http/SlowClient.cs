using System.Net;
using System.Text;
using System.Net.Sockets;

namespace Pix.Tests.Http;

/// <summary>
/// A misbehaving client over one TCP connection: trickles bytes one at a time (slowloris; <see cref="ClosedByServer"/>
/// completes when the server ends the connection), or floods requests and never reads the answers.
/// </summary>
internal sealed class SlowClient : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();

    private SlowClient(Socket socket) => _socket = socket;

    public Task<bool> ClosedByServer { get; private set; } = Task.FromResult(false);

    public static async Task<SlowClient> ConnectAsync(int port, int receiveBufferBytes = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Set before connecting, so the window the server sees is small from the start.
        if (receiveBufferBytes > 0) socket.ReceiveBufferSize = receiveBufferBytes;
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new SlowClient(socket);
    }

    /// <summary>
    /// <paramref name="count"/> slowloris clients posting to <paramref name="path"/>, one byte every 20 ms: the even ones
    /// trickle a head that never ends, the odd ones send a head announcing a mebibyte of body and trickle the body.
    /// </summary>
    public static async Task<List<SlowClient>> SlowlorisAsync(int port, int count, string path)
    {
        var clients = new List<SlowClient>();
        var interval = TimeSpan.FromMilliseconds(20);
        for (var i = 0; i < count; i++)
        {
            var client = await ConnectAsync(port);
            var head = $"POST {path} HTTP/1.1\r\nHost: pix\r\n";
            if (i % 2 == 0) client.Trickle([], Encoding.ASCII.GetBytes(head + "X-Pad: " + new string('p', 300)), interval);
            else client.Trickle(Encoding.ASCII.GetBytes(head + "Content-Type: application/xml\r\nContent-Length: 1048576\r\n\r\n"), new byte[1000], interval);
            clients.Add(client);
        }
        return clients;
    }

    /// <summary>Sends <paramref name="head"/> at once, then <paramref name="trickle"/> one byte every
    /// <paramref name="interval"/>, and watches for the server closing the connection.</summary>
    public void Trickle(byte[] head, byte[] trickle, TimeSpan interval)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                if (head.Length > 0) await _socket.SendAsync(head, SocketFlags.None, _stop.Token);
                foreach (var b in trickle)
                {
                    await _socket.SendAsync(new[] { b }, SocketFlags.None, _stop.Token);
                    await Task.Delay(interval, _stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server closed it (what the tests wait for), or the test is over.
            }
        });
        ClosedByServer = WatchAsync();
    }

    /// <summary>Sends <paramref name="requests"/> (as fast as the server takes them) and reads nothing until
    /// <see cref="DrainUntilClosedAsync"/>.</summary>
    public void FloodWithoutReading(byte[] requests)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                for (var sent = 0; sent < requests.Length;) sent += await _socket.SendAsync(requests.AsMemory(sent), SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        });
    }

    /// <summary>Reads whatever is buffered; true when the connection then ends (EOF or reset) within the timeout,
    /// false when it is still open. A server that had stopped writing but kept the connection would start writing
    /// again here, and the read would run into the timeout.</summary>
    public async Task<bool> DrainUntilClosedAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> WatchAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
