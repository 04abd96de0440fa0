using System.Net;
using System.Net.Sockets;

namespace Pix.Tests.Support.Redis;

/// <summary>Free loopback ports for servers a test starts. Redis Cluster nodes also bind port + 10000 (the cluster
/// bus), so those are checked in pairs.</summary>
internal static class FreePorts
{
    private static readonly Lock Gate = new();
    private static int _next = 20000 + Random.Shared.Next(0, 15000);

    public static int One() => Take(1, withBus: false)[0];

    public static int[] Take(int count, bool withBus)
    {
        var ports = new List<int>();
        lock (Gate)
        {
            while (ports.Count < count)
            {
                var port = _next++;
                if (_next > 35000) _next = 20000;
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
