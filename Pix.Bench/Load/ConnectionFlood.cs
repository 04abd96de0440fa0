using System.Net.Sockets;

namespace Pix.Bench.Load;

/// <summary>
/// Saturation: while the pressure window is open, holds <c>--flood-connections</c> idle TCP connections to the ICOM
/// port, as a load balancer that piles connections onto one node does; they are closed when the window closes.
/// </summary>
internal sealed class ConnectionFlood(LoadOptions options, PressureWindow window)
{
    public int Opened { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        if (options.FloodConnections <= 0) return;
        var sockets = new List<Socket>(options.FloodConnections);
        try
        {
            await window.WaitForOpenAsync(stop);
            if (window.HasClosed) return;
            for (var i = 0; i < options.FloodConnections && window.IsOpen; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(options.NextEndPoint(), stop);
                    sockets.Add(socket);
                }
                catch (SocketException)
                {
                    socket.Dispose();
                    break;
                }
            }
            Opened = sockets.Count;
            await window.WaitWhileOpenAsync(stop);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}
