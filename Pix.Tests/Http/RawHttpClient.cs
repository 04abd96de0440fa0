using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Pix.Tests.Http;

/// <summary>Sends exact bytes over a fresh TCP connection and reads what comes back, for end-to-end tests.</summary>
internal static partial class RawHttpClient
{
    /// <summary>Sends <paramref name="request"/> and reads until the server closes; fails if it does not close in time.</summary>
    public static async Task<string> SendAndReadToEndAsync(int port, byte[] request, TimeSpan? timeout = null)
    {
        using var socket = await ConnectAsync(port);
        await SendAllAsync(socket, request);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The server did not close the connection; received so far:\n" + Text(received));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }
            if (read == 0) break;
            received.Write(buffer, 0, read);
        }
        return Text(received);
    }

    /// <summary>Sends and reads until <paramref name="count"/> status lines with complete bodies have arrived.</summary>
    public static async Task<string> SendAndReadResponsesAsync(int port, byte[] request, int count, TimeSpan? timeout = null)
    {
        using var socket = await ConnectAsync(port);
        await SendAllAsync(socket, request);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (CompleteResponses(Text(received)) < count)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} responses; received:\n" + Text(received));
            }
            if (read == 0) break;
            received.Write(buffer, 0, read);
        }
        return Text(received);
    }

    public static IReadOnlyList<int> StatusCodes(string responses) =>
        StatusLine().Matches(responses).Select(m => int.Parse(m.Groups[1].Value)).ToList();

    private static int CompleteResponses(string text)
    {
        var count = 0;
        var pos = 0;
        while (true)
        {
            var headEnd = text.IndexOf("\r\n\r\n", pos, StringComparison.Ordinal);
            if (headEnd < 0) return count;
            var length = ContentLength().Match(text, pos, headEnd - pos);
            var bodyEnd = headEnd + 4 + (length.Success ? int.Parse(length.Groups[1].Value) : 0);
            if (bodyEnd > text.Length) return count;
            count++;
            pos = bodyEnd;
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task SendAllAsync(Socket socket, byte[] request)
    {
        try
        {
            for (var sent = 0; sent < request.Length;) sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server may answer and close before it read everything (413, 431): read what it said.
        }
    }

    private static string Text(MemoryStream stream) => Encoding.Latin1.GetString(stream.GetBuffer(), 0, (int)stream.Length);

    [GeneratedRegex(@"HTTP/1\.1 (\d{3}) ")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"Content-Length: (\d+)")]
    private static partial Regex ContentLength();
}
