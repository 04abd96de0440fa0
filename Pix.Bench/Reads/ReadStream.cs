using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using HdrHistogram;

namespace Pix.Bench.Reads;

/// <summary>
/// One stream of <c>pix-bench reads</c>: its own connection, following its <c>PI-Pull-Next</c> chain with one request
/// in flight. Built so the client costs far less than the server it measures: the request is patched in place, the
/// response lands in one reused buffer and is parsed on its bytes (<see cref="ResponseHead"/>), parts are counted by
/// searching the boundary, and the whole loop is one async method whose awaits (socket sends and receives) reuse the
/// same state machine: nothing is allocated per read.
/// </summary>
internal sealed class ReadStream : IDisposable
{
    private static ReadOnlySpan<byte> Get => "GET "u8;
    private static ReadOnlySpan<byte> Tail => " HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n"u8;

    private readonly IPEndPoint _target;
    private readonly byte[] _request = new byte[1024];
    private readonly byte[] _delimiter = new byte[128];
    private Socket? _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _requestLength;
    private int _delimiterLength;
    private long _reads;
    private long _messages;

    public ReadStream(IPEndPoint target, string ispb)
    {
        _target = target;
        SetPath(System.Text.Encoding.ASCII.GetBytes($"/api/v1/out/{ispb}/stream/start"));
    }

    /// <summary>Microseconds from each read's intended send time to its last response byte, while the window measures.</summary>
    public LongHistogram Latency { get; } = new(60_000_000, 3);

    public long Reads => Volatile.Read(ref _reads);
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Reads until the window stops. <paramref name="interval"/> in stopwatch ticks: 0 sends the next read as
    /// soon as the last one is answered (closed loop); otherwise reads are due at fixed intervals (open loop) and
    /// latency counts from when each was due, so a slow answer is not hidden by the reads it delayed.</summary>
    public async Task RunAsync(ReadWindow window, long interval)
    {
        try
        {
            _socket ??= await ConnectAsync(_target);
            var due = Stopwatch.GetTimestamp();
            while (!window.Stopped)
            {
                if (interval > 0)
                {
                    due += interval;
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                }
                else
                {
                    due = Stopwatch.GetTimestamp();
                }
                var sent = _request.AsMemory(0, _requestLength);
                while (!sent.IsEmpty) sent = sent[await _socket.SendAsync(sent, SocketFlags.None)..];
                var (head, total) = await ReceiveAsync(_socket);
                if (window.Measuring) Latency.RecordValue(Math.Min(59_999_999, Math.Max(1, (long)Stopwatch.GetElapsedTime(due).TotalMicroseconds)));
                if (!Answered(head, total, window)) return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException && window.Stopped)
        {
            // The window closed while this stream waited (a long poll on an empty queue): the run is over.
        }
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target);
        return socket;
    }

    /// <summary>Receives one whole response into the buffer; returns its parsed head and its length in bytes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ResponseHead Head, int Total)> ReceiveAsync(Socket socket)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0) filled += await ReceiveSomeAsync(socket, filled);
        var head = ResponseHead.Parse(_buffer.AsSpan(0, headEnd));
        var total = headEnd + 4 + head.ContentLength;
        if (total > _buffer.Length) Array.Resize(ref _buffer, total);
        while (filled < total) filled += await ReceiveSomeAsync(socket, filled);
        return (head, total);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveSomeAsync(Socket socket, int filled)
    {
        if (filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
        if (read == 0) throw new IOException("The server closed the connection.");
        return read;
    }

    /// <summary>Counts the answer and follows its PI-Pull-Next; false when this stream is done.</summary>
    private bool Answered(in ResponseHead head, int total, ReadWindow window)
    {
        var hasNext = !head.PullNext.Equals(default(Range));
        if (hasNext) SetPath(_buffer.AsSpan(head.PullNext));
        if (head.Status != 200 || !hasNext)
        {
            // 204: the queue ran dry (the rest would be long polls); anything else is a failure the run reports.
            window.Finished(head.Status == 204 ? null : $"a read got {head.Status}");
            return false;
        }
        var body = _buffer.AsSpan(total - head.ContentLength, head.ContentLength);
        var parts = head.Boundary.Equals(default(Range)) ? 1 : CountParts(body, _buffer.AsSpan(head.Boundary));
        Volatile.Write(ref _messages, _messages + parts);
        Volatile.Write(ref _reads, _reads + 1);
        if (head.Close) throw new IOException("The server closed the stream's connection.");
        return true;
    }

    private int CountParts(ReadOnlySpan<byte> body, ReadOnlySpan<byte> boundary)
    {
        if (_delimiterLength == 0 || !boundary.SequenceEqual(_delimiter.AsSpan(2, _delimiterLength - 2)))
        {
            "--"u8.CopyTo(_delimiter);
            boundary.CopyTo(_delimiter.AsSpan(2));
            _delimiterLength = boundary.Length + 2;
        }
        var delimiter = _delimiter.AsSpan(0, _delimiterLength);
        var count = 0;
        for (var at = body.IndexOf(delimiter); at >= 0; at = body.IndexOf(delimiter))
        {
            count++;
            body = body[(at + delimiter.Length)..];
        }
        // The last delimiter closes the body.
        return Math.Max(0, count - 1);
    }

    private void SetPath(ReadOnlySpan<byte> path)
    {
        Get.CopyTo(_request);
        path.CopyTo(_request.AsSpan(Get.Length));
        Tail.CopyTo(_request.AsSpan(Get.Length + path.Length));
        _requestLength = Get.Length + path.Length + Tail.Length;
    }

    public void Dispose() => _socket?.Dispose();
}
