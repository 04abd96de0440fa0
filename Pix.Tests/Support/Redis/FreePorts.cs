using System.Net;
using System.Net.Sockets;

namespace Pix.Tests.Support.Redis;

/// <summary>Free loopback ports for servers a test starts. Redis Cluster nodes also bind port + 10000 (the cluster
/// bus), so those are checked in pairs. Both stay below Linux's ephemeral range (32768 and up by default), where any
/// outgoing connection of the machine may take a port between our check and the server's bind.</summary>
internal static class FreePorts
{
    private static readonly Lock Gate = new();
    private static int _next = First + Random.Shared.Next(0, Last - First);
    private const int First = 10000, Last = 22000;

    public static int One() => Take(1, withBus: false)[0];

    public static int[] Take(int count, bool withBus)
    {
        var ports = new List<int>();
        lock (Gate)
        {
            while (ports.Count < count)
            {
                var port = _next++;
                if (_next > Last) _next = First;
                if (IsFree(port) && (!withBus || IsFree(port + 10000))) ports.Add(port);
            }
        }
        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
