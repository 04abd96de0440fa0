using System.Security.Authentication;
using Pix.Tests.Support;

namespace Pix.Tests.Identity;

/// <summary>How a test tells that a connection never reached the HTTP layer: the handshake failed, or (TLS 1.3 checks
/// the client certificate after the client's side of the handshake completed) the first request got no response.</summary>
internal static class Refusals
{
    public static async Task<bool> ReachesHttpAsync(Func<Task<RawHttpConnection>> connect, string path)
    {
        try
        {
            using var connection = await connect();
            connection.Send($"GET {path} HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n");
            await connection.ReadAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (Exception e) when (e is IOException or AuthenticationException or EndOfStreamException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Waits (up to 10 s) for the server's output to contain <paramref name="text"/>: log lines are written asynchronously.</summary>
    public static async Task<bool> LoggedAsync(PixServerProcess server, string text)
    {
        for (var i = 0; i < 100; i++)
        {
            if (server.Output.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(100);
        }
        return false;
    }
}
