using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using HdrHistogram;

namespace Pix.Bench.Reads;

/// <summary>
/// One connection of a throughput benchmark with one request in flight: what to send next and what an answer means
/// are the subclass's (<see cref="ReadStream"/>, <see cref="IngestStream"/>); the loop, its pacing and its latency
/// record are here. The loop is one async method whose awaits reuse its state machine: nothing is allocated per request.
/// </summary>
internal abstract class MeasuredStream(IPEndPoint target, SslClientAuthenticationOptions? tls = null) : IDisposable
{
    private readonly RawHttpConnection _connection = new(target, tls);
    private long _requests;
    private long _messages;

    /// <summary>Microseconds from each request's due time to its answer's last byte, while the window measures.</summary>
    public LongHistogram Latency { get; } = new(60_000_000, 3);

    /// <summary>Microseconds from each request's send to its answer's last byte: the server's part of
    /// <see cref="Latency"/>. In an open loop the rest is the wait for this connection's previous answer.</summary>
    public LongHistogram Service { get; } = new(60_000_000, 3);

    /// <summary>Microseconds the client itself sent late: from when a request could go (it was due and the previous
    /// answer was in) to its send. Large, and <see cref="Latency"/> measures the client's pacing, not the server.</summary>
    public LongHistogram ClientDelay { get; } = new(60_000_000, 3);

    public long Requests => Volatile.Read(ref _requests);
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>The next request's bytes.</summary>
    protected abstract ReadOnlyMemory<byte> NextRequest();

    /// <summary>Takes in an answer (<paramref name="response"/> is head and body); returns the messages it carried,
    /// or -1 when this stream is done (the window is told why).</summary>
    protected abstract int Answered(in ResponseHead head, ReadOnlySpan<byte> response, ReadWindow window);

    /// <summary>Runs until the window stops. <paramref name="interval"/> in stopwatch ticks: 0 sends the next request
    /// as soon as the last one is answered (closed loop); otherwise requests are due at fixed intervals (open loop)
    /// and latency counts from when each was due, so a slow answer is not hidden by the requests it delayed.
    /// <paramref name="firstDue"/> (a stopwatch timestamp): when the first request is due; the run spreads its streams'
    /// over one interval, or every stream would send at the same instant, every interval.</summary>
    public async Task RunAsync(ReadWindow window, long interval, long firstDue)
    {
        try
        {
            var due = firstDue - interval;
            var answered = 0L;
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
                var sent = Stopwatch.GetTimestamp();
                if (window.Measuring) Record(ClientDelay, Math.Max(due, answered), sent);
                await _connection.SendAsync(NextRequest());
                var (head, total) = await _connection.ReceiveAsync();
                answered = Stopwatch.GetTimestamp();
                if (window.Measuring)
                {
                    Record(Latency, due, answered);
                    Record(Service, sent, answered);
                }
                var messages = Answered(head, _connection.Response(total), window);
                if (messages < 0) return;
                Volatile.Write(ref _messages, _messages + messages);
                Volatile.Write(ref _requests, _requests + 1);
                if (head.Close) throw new IOException("The server closed the connection.");
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException && window.Stopped)
        {
            // The window closed while this stream waited (a long poll on an empty queue): the run is over.
        }
    }

    // Microseconds between two stopwatch timestamps, within the histograms' range.
    private static void Record(LongHistogram histogram, long from, long to) =>
        histogram.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(from, to).TotalMicroseconds, 1, 59_999_999));

    public void Dispose() => _connection.Dispose();
}
