using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pix.Tests.Support;

/// <summary>
/// A bare HTTP/1.1 client over one TCP connection (or TLS over it): sends exactly the bytes a test gives and reads
/// responses with Content-Length framing (what Pix sends), so framing, pipelining and connection closing can be asserted.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[4 * 1024 * 1024];
    private int _start;
    private int _end;

    public RawHttpConnection(int port)
    {
        _client = new TcpClient { NoDelay = true };
        _client.Connect("127.0.0.1", port);
        _stream = _client.GetStream();
        _stream.ReadTimeout = 30_000;
    }

    private RawHttpConnection(TcpClient client, SslStream stream)
    {
        _client = client;
        _stream = stream;
        _stream.ReadTimeout = 30_000;
    }

    /// <summary>The TLS session (null over plain TCP).</summary>
    public SslStream? Tls => _stream as SslStream;

    /// <summary>Connects with TLS as <c>localhost</c>, trusting only <paramref name="ca"/>, presenting <paramref name="clientCertificate"/>
    /// (none when null). Throws when the handshake fails.</summary>
    public static async Task<RawHttpConnection> ConnectTlsAsync(int port, X509Certificate2? clientCertificate, X509Certificate2 ca,
        SslProtocols protocols = SslProtocols.None, List<SslApplicationProtocol>? alpn = null)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.Add(ca);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                CertificateChainPolicy = trust,
                EnabledSslProtocols = protocols,
                ApplicationProtocols = alpn ?? [SslApplicationProtocol.Http11],
                // Each test connection stands alone: a resumed session would skip what a test means to exercise.
                AllowTlsResume = false,
            });
        }
        catch
        {
            ssl.Dispose();
            client.Dispose();
            throw;
        }
        return new RawHttpConnection(client, ssl);
    }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] bytes) => _stream.Write(bytes);

    public async Task<RawResponse> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var headerEnd = await FillUntilAsync(() => IndexOf("\r\n\r\n"u8), cts.Token);
        if (headerEnd < 0) throw new EndOfStreamException("The connection closed before a response head.");
        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        var lengthText = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        var length = lengthText is null ? 0 : int.Parse(lengthText);
        if (await FillUntilAsync(() => _end - _start >= length ? _start : -1, cts.Token) < 0)
            throw new EndOfStreamException("The connection closed inside a body.");
        var body = _buffer.AsSpan(_start, length).ToArray();
        _start += length;
        return new RawResponse(status, headers, body);
    }

    public async Task<RawResponse> SendAsync(string request, TimeSpan? timeout = null)
    {
        Send(request);
        return await ReadAsync(timeout);
    }

    /// <summary>True when the server closed the connection (read returns 0) within the timeout.</summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cts.Token);
                if (read == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>True when the server ended the connection with a FIN (read returns 0) within the timeout; false on a
    /// reset or when it stayed open.</summary>
    public async Task<bool> IsClosedCleanlyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cts.Token) == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return false; }
    }

    private async Task<int> FillUntilAsync(Func<int> found, CancellationToken cancel)
    {
        while (true)
        {
            var at = found();
            if (at >= 0) return at;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new InvalidOperationException("Response larger than the test buffer.");
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            if (read == 0) return -1;
            _end += read;
        }
    }

    private int IndexOf(ReadOnlySpan<byte> pattern)
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf(pattern);
        return at < 0 ? -1 : _start + at;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
