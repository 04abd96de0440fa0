using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Pix.Protocol.Streams;
using Pix.Server;
using Pix.Server.Hosting;
using Pix.Server.Http;
using Pix.Server.Identity;
using Pix.Server.Ingest;
using Pix.Server.Streams;
using Pix.Storage;

namespace Pix.Bench.Embedded;

/// <summary>
/// The ICOM server without sockets, as Garnet's embedded server: the object graph <c>PixHost</c> builds, and one
/// <see cref="HttpConnection"/> running over two in-memory pipes with inline schedulers. <see cref="Send"/> writes a
/// request and flushes; the connection then parses it, runs the application and writes the response on the caller's
/// thread (when nothing truly suspends), so every allocation of the request lands on the benchmark thread.
/// </summary>
internal sealed class EmbeddedServer : IAsyncDisposable
{
    private static ReadOnlySpan<byte> PullNextHeader => "\r\nPI-Pull-Next: "u8;

    private static readonly PipeSegmentPool Segments = new();
    private readonly Pipe _requests = new(new PipeOptions(pool: Segments, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
    private readonly Pipe _responses = new(new PipeOptions(pool: Segments, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
    private readonly byte[] _head = new byte[2048];
    private readonly Task _running;
    private readonly DateHeader _date = new();
    private readonly BenchMeterFactory _meters = new();
    private readonly IcomComposition _composition;

    public EmbeddedServer(IQueueStore store, string dataDir, int maxStreamsPerIspb = 6, double traceSampling = 0.01)
    {
        Store = store;
        var options = new PixOptions
        {
            // Long poll 0: an empty read answers 204 at once. The sweeper is not on the request path: keep it quiet.
            Streams = new StreamOptions { LongPollSeconds = 0, SweepMilliseconds = 60_000, MaxPerIspb = maxStreamsPerIspb },
            // Nor is the storage probe (/readyz): it creates, fsyncs and deletes a file every second, about 1.5 KB a
            // second however many requests run, which the ingest benchmark would divide among its requests (and an
            // extra fsync competing with the group commit's). 0 turns it off.
            Health = new Pix.Server.Health.HealthOptions { ProbeSeconds = 0 },
            // A bucket and a backlog limit the benchmarks never reach: a 429 would be an error path.
            RateLimit = new RateLimitOptions { Capacity = 1e15, RefillPerSecond = 1e15 },
            Limits = new PixOptions.LimitOptions { MaxBacklog = long.MaxValue },
            Xml = new PixOptions.XmlOptions { RequireSignature = false },
            // The host's default; the benchmarks run without a trace listener, so nothing is sampled anyway.
            Telemetry = new Pix.Server.Telemetry.TelemetryOptions { TraceSampling = traceSampling },
        };
        // The same object graph the host builds (IcomComposition), without the host. TLS off: the request path is
        // measured over in-memory pipes, and identity is a per-connection matter (one PeerIdentity per connection).
        _composition = new IcomComposition(store, options, dataDir, Pix.Protocol.Streams.TokenKeyRing.Single(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            signer: null, IcomIdentity.Off(), NullLoggerFactory.Instance, _meters, TimeProvider.System);
        Engine = _composition.Engine;
        Tokens = _composition.Tokens;
        // The outbox sweep (a timed semaphore wait every 2 s, a few hundred bytes each) is off the request path too;
        // the wait already started ends within 2 s, after setup.
        _composition.Notices.Sweep = TimeSpan.FromMinutes(10);
        var application = _composition.Application;
        var problemWriter = _composition.ProblemWriter;

        var transport = new DuplexPipe(_requests.Reader, _responses.Writer);
        var client = new DuplexPipe(_responses.Reader, _requests.Writer);
        var context = new DefaultConnectionContext("bench", transport, client);
        _running = new HttpConnection(context, application, new HttpLimits(), problemWriter, _date, NullLogger.Instance).RunAsync();
    }

    public IQueueStore Store { get; }
    public StreamEngine Engine { get; }
    public PullTokenCodec Tokens { get; }

    /// <summary>The last response's <c>PI-Pull-Next</c> token (48 characters), when it had one.</summary>
    public byte[] NextToken { get; } = new byte[PullTokenCodec.TextLength];

    /// <summary>Head of the last response (status line and headers, cut at <see cref="_head"/>'s size), for checks.</summary>
    public ReadOnlySpan<byte> LastHead => _head.AsSpan(0, _headLength);
    private int _headLength;

    /// <summary>Sends one request and consumes its whole response; returns the status code.</summary>
    public int Send(ReadOnlySpan<byte> request)
    {
        Write(request);
        return ReadResponse(keep: false);
    }

    /// <summary>Sends one request and returns its whole response, byte for byte (what <c>pix-bench ceiling</c> replays).</summary>
    public byte[] Record(ReadOnlySpan<byte> request)
    {
        Write(request);
        ReadResponse(keep: true);
        return _recorded;
    }

    private byte[] _recorded = [];

    private void Write(ReadOnlySpan<byte> request)
    {
        var writer = _requests.Writer;
        writer.Write(request);
        var flush = writer.FlushAsync();
        if (!flush.IsCompletedSuccessfully) flush.AsTask().GetAwaiter().GetResult();
    }

    private int ReadResponse(bool keep)
    {
        var reader = _responses.Reader;
        ReadResult result;
        var spin = new SpinWait();
        // The memory adapter answers before Send's flush returns; the embedded one completes after its fsync, on
        // its writer thread. Spinning on TryRead waits for that without allocating a task.
        while (true)
        {
            if (reader.TryRead(out result))
            {
                // A flush before the application answered (the connection's async path) can wake us with nothing.
                if (!result.Buffer.IsEmpty) break;
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
            if (_running.IsCompleted) throw new InvalidOperationException("The connection closed.", _running.Exception);
            spin.SpinOnce();
        }
        var buffer = result.Buffer;
        if (keep) _recorded = buffer.ToArray();
        var length = (int)Math.Min(buffer.Length, _head.Length);
        buffer.Slice(0, length).CopyTo(_head);
        var headEnd = _head.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
        _headLength = headEnd < 0 ? length : headEnd;
        reader.AdvanceTo(buffer.End);
        var status = (_head[9] - '0') * 100 + (_head[10] - '0') * 10 + (_head[11] - '0');
        var at = LastHead.IndexOf(PullNextHeader);
        if (at >= 0)
        {
            // The value is /api/v1/out/{ispb}/stream/{token}: the token is its last 48 bytes.
            var valueEnd = LastHead[(at + PullNextHeader.Length)..].IndexOf("\r\n"u8);
            var end = valueEnd < 0 ? _headLength : at + PullNextHeader.Length + valueEnd;
            _head.AsSpan(end - PullTokenCodec.TextLength, PullTokenCodec.TextLength).CopyTo(NextToken);
        }
        return status;
    }

    /// <summary>Sends a request and throws unless it answered <paramref name="expected"/>: setups call this so a
    /// benchmark can never measure an error path.</summary>
    public void Expect(ReadOnlySpan<byte> request, int expected)
    {
        var status = Send(request);
        if (status != expected)
        {
            throw new InvalidOperationException(
                $"Expected {expected}, got {status}: {System.Text.Encoding.ASCII.GetString(LastHead)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _requests.Writer.CompleteAsync();
        await _running;
        await _composition.Notices.DisposeAsync();
        await Engine.DisposeAsync();
        await _composition.Audit.DisposeAsync();
        _composition.Metrics.Dispose();
        _date.Dispose();
        await Store.DisposeAsync();
    }
}
