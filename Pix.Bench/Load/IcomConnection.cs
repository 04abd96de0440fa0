using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Pix.Bench.Load;

/// <summary>
/// A raw HTTP/1.1 client connection: one request in flight, responses framed by Content-Length (Pix always sends
/// it). Raw sockets rather than HttpClient so the load generator costs little CPU on its core and so the requests
/// are exactly the bytes an ICOM client sends. With <paramref name="tls"/>, mutual TLS as <paramref name="ispb"/>
/// (the handshake on connect; sessions resume across reconnects). Reconnects after a close or an I/O error.
/// </summary>
internal sealed class IcomConnection(IPEndPoint target, ClientTls? tls = null, string? ispb = null, TimeSpan? readTimeout = null) : IDisposable
{
    private readonly TimeSpan ReadTimeout = readTimeout ?? TimeSpan.FromSeconds(30);
    private Socket? _socket;
    private SslStream? _ssl;
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;

    /// <summary>TLS handshakes this connection made (each reconnect makes one).</summary>
    public int Handshakes { get; private set; }

    public async Task<IcomResponse> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancel)
    {
        if (_socket is null)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await _socket.ConnectAsync(target, cancel);
                if (tls is not null)
                {
                    _ssl = new SslStream(new NetworkStream(_socket, ownsSocket: false));
                    await _ssl.AuthenticateAsClientAsync(tls.For(ispb ?? throw new InvalidOperationException("A TLS connection needs its participant.")), cancel);
                    Handshakes++;
                }
            }
            catch
            {
                Drop();
                throw;
            }
            _filled = 0;
        }
        try
        {
            if (_ssl is not null)
            {
                await _ssl.WriteAsync(request, cancel);
            }
            else
            {
                while (!request.IsEmpty)
                {
                    var sent = await _socket.SendAsync(request, SocketFlags.None, cancel);
                    request = request[sent..];
                }
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(ReadTimeout);
            var response = await ReadAsync(timeout.Token);
            if (response.Close) Drop();
            return response;
        }
        catch
        {
            Drop();
            throw;
        }
    }

    private async Task<IcomResponse> ReadAsync(CancellationToken cancel)
    {
        // The previous response's bytes are no longer needed: requests are not pipelined, so the buffer starts empty.
        _filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8)) < 0) await FillAsync(cancel);
        var head = Encoding.ASCII.GetString(_buffer, 0, headEnd);
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].AsSpan(9, 3));
        long length = 0;
        string? pullNext = null, contentType = null;
        int retryAfter = 0;
        bool gzip = false, close = false;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon);
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value);
            else if (name.Equals("PI-Pull-Next", StringComparison.OrdinalIgnoreCase)) pullNext = value.ToString();
            else if (name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) int.TryParse(value, out retryAfter);
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value.ToString();
            else if (name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase)) gzip = value.Equals("gzip", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) throw new IOException("Chunked responses are not expected from Pix.");
        }
        var bodyStart = headEnd + 4;
        var total = bodyStart + (int)length;
        if (total > _buffer.Length)
        {
            var grown = new byte[Math.Max(total, _buffer.Length * 2)];
            _buffer.AsSpan(0, _filled).CopyTo(grown);
            _buffer = grown;
        }
        while (_filled < total) await FillAsync(cancel);
        return new IcomResponse(status, _buffer.AsMemory(bodyStart, (int)length), pullNext, retryAfter, contentType, gzip, close);
    }

    private async Task FillAsync(CancellationToken cancel)
    {
        if (_filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = _ssl is not null
            ? await _ssl.ReadAsync(_buffer.AsMemory(_filled), cancel)
            : await _socket!.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancel);
        if (read == 0) throw new IOException("The server closed the connection.");
        _filled += read;
    }

    private void Drop()
    {
        _ssl?.Dispose();
        _ssl = null;
        _socket?.Dispose();
        _socket = null;
    }

    public void Dispose() => Drop();
}
