using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Pix.Bench.Reads;

/// <summary>
/// A client connection for the throughput benchmarks: sends request bytes as they are, receives one whole response
/// (framed by Content-Length, as Pix and the ceiling always send) into one reused buffer and parses its head on the
/// bytes. Pooled state machines: a receive that has to wait allocates nothing either. With <paramref name="tls"/>,
/// mutual TLS over an <see cref="SslStream"/> (the production default's figure; the ratios are plain HTTP).
/// </summary>
internal sealed class RawHttpConnection(IPEndPoint target, SslClientAuthenticationOptions? tls = null) : IDisposable
{
    private Socket? _socket;
    private SslStream? _ssl;
    private byte[] _buffer = new byte[64 * 1024];

    /// <summary>The last response, head and body.</summary>
    public Span<byte> Response(int total) => _buffer.AsSpan(0, total);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> request)
    {
        if (_socket is null)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(target);
            if (tls is not null)
            {
                _ssl = new SslStream(new NetworkStream(_socket, ownsSocket: false));
                await _ssl.AuthenticateAsClientAsync(tls);
            }
        }
        if (_ssl is not null)
        {
            await _ssl.WriteAsync(request);
            return;
        }
        while (!request.IsEmpty) request = request[await _socket.SendAsync(request, SocketFlags.None)..];
    }

    /// <summary>Receives one whole response; returns its parsed head and its length in bytes (head and body).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ResponseHead Head, int Total)> ReceiveAsync()
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0) filled += await ReceiveSomeAsync(filled);
        var head = ResponseHead.Parse(_buffer.AsSpan(0, headEnd));
        var total = headEnd + 4 + head.ContentLength;
        if (total > _buffer.Length) Array.Resize(ref _buffer, total);
        while (filled < total) filled += await ReceiveSomeAsync(filled);
        return (head, total);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveSomeAsync(int filled)
    {
        if (filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = _ssl is not null
            ? await _ssl.ReadAsync(_buffer.AsMemory(filled))
            : await _socket!.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
        if (read == 0) throw new IOException("The server closed the connection.");
        return read;
    }

    public void Dispose()
    {
        _ssl?.Dispose();
        _socket?.Dispose();
    }
}
