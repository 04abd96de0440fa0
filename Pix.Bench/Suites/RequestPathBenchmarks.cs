using BenchmarkDotNet.Attributes;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Memory;

namespace Pix.Bench.Suites;

/// <summary>
/// Whole ICOM requests through the embedded server (HTTP parse, route, endpoint, engine, memory adapter, response
/// bytes), one request per operation unless the name says otherwise. Each setup checks the status first, so an
/// operation never measures an error path.
/// </summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks
{
    private TempDirectory _directory = null!;
    private EmbeddedServer _server = null!;
    private QueueDrain _drain = null!;
    private readonly AppendBatch _refill = new();
    private byte[] _ingest1 = [], _ingest10 = [], _start = [], _read = [], _repeat = [], _delete = [];
    private int[] _serials1 = [], _serials10 = [];
    private long _serial;

    private void Setup()
    {
        _directory = new TempDirectory();
        // Dedup window 0 on a clock that steps 1 ms per append: keys expire by the next request, so the dedup index
        // stays one request's size instead of growing (and resizing) with the run.
        _server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.Zero, new SteppingClock()), _directory.Path);
        _ingest1 = BenchRequests.Ingest(0);
        _ingest10 = BenchRequests.Ingest(10);
        _serials1 = BenchMessages.SerialOffsets(_ingest1);
        _serials10 = BenchMessages.SerialOffsets(_ingest10);
        _start = BenchRequests.Start();
        _read = BenchRequests.OnToken("GET");
        _repeat = BenchRequests.OnToken("GET");
        _delete = BenchRequests.OnToken("DELETE");
        var payload = BenchMessages.Pacs008();
        var receiver = Ispb.Parse(BenchMessages.Receiver);
        for (var i = 0; i < 10; i++)
        {
            _refill.Add(new IncomingMessage(receiver, Ispb.Parse(BenchMessages.Sender), default, payload, Disposition.Deliver));
        }
        _drain = new QueueDrain(_server.Store, receiver, 10);
    }

    [GlobalSetup(Target = nameof(StreamRead10))]
    public void SetupRead10()
    {
        Setup();
        OpenReadStream();
        Check(StreamRead10(), 200);
    }

    [GlobalSetup(Target = nameof(StreamRead10Repeat))]
    public void SetupRepeat()
    {
        Setup();
        OpenReadStream();
        // Read batch 2 on token 1; token 1 then stays the previous token, and every read on it repeats batch 2.
        _read.AsSpan(BenchRequests.TokenOffset("GET")).CopyTo(_repeat.AsSpan(BenchRequests.TokenOffset("GET")));
        Refill();
        _server.Expect(_read, 200);
        Check(StreamRead10Repeat(), 200);
    }

    [GlobalSetup(Target = nameof(StreamRead204))]
    public void SetupRead204()
    {
        Setup();
        OpenReadStream();
        Check(StreamRead204(), 204);
    }

    [GlobalSetup(Targets = [nameof(Ingest1), nameof(Ingest10Multipart)])]
    public void SetupIngest()
    {
        Setup();
        _drain.Open();
        Check(Ingest1(), 201);
        // 201 is also the answer for a message that failed its checks and went to quarantine: make sure it was queued.
        if (_server.Store.StatsAsync(Ispb.Parse(BenchMessages.Receiver)).AsTask().GetAwaiter().GetResult().Depth != 1) throw new InvalidOperationException("The message was not queued.");
        Check(Ingest10Multipart(), 201);
    }

    [GlobalSetup(Target = nameof(StartAndDelete))]
    public void SetupDelete()
    {
        Setup();
        Check(StartAndDelete(), 200);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _directory.Dispose();
    }

    /// <summary>A read on the current token that acknowledges the last batch and returns 10 messages (multipart).
    /// The operation first appends 10 messages through the store (no HTTP, no XML check) to keep the queue full.</summary>
    [Benchmark]
    public int StreamRead10()
    {
        Refill();
        return ReadOnChain();
    }

    /// <summary>A read on the previous token: the same 10-message batch again (no acknowledgement, no claim).</summary>
    [Benchmark]
    public int StreamRead10Repeat() => _server.Send(_repeat);

    /// <summary>A read on the current token of an empty queue, long poll 0: 204 with the next token.</summary>
    [Benchmark]
    public int StreamRead204() => ReadOnChain();

    /// <summary>POST of one pacs.008 (application/xml): XML check, append, 201. Every 10th operation also
    /// acknowledges the stored messages through the store, to keep the queue short.</summary>
    [Benchmark]
    public int Ingest1()
    {
        BenchMessages.Stamp(_ingest1, _serials1[0], ++_serial);
        var status = _server.Send(_ingest1);
        _drain.Stored(1);
        return status;
    }

    /// <summary>POST of a 10-part multipart/mixed batch; the operation also acknowledges the 10 through the store.</summary>
    [Benchmark]
    public int Ingest10Multipart()
    {
        foreach (var offset in _serials10) BenchMessages.Stamp(_ingest10, offset, ++_serial);
        var status = _server.Send(_ingest10);
        _drain.Stored(10);
        return status;
    }

    /// <summary>GET stream/start (204 on an empty queue), then DELETE on its token (200): a stream's whole life.</summary>
    [Benchmark]
    public int StartAndDelete()
    {
        _server.Send(_start);
        _server.NextToken.CopyTo(_delete.AsSpan(BenchRequests.TokenOffset("DELETE")));
        return _server.Send(_delete);
    }

    private void OpenReadStream()
    {
        _server.Expect(_start, 204);
        _server.NextToken.CopyTo(_read.AsSpan(BenchRequests.TokenOffset("GET")));
    }

    private void Refill() => _server.Store.AppendAsync(_refill).GetAwaiter().GetResult();

    private int ReadOnChain()
    {
        var status = _server.Send(_read);
        _server.NextToken.CopyTo(_read.AsSpan(BenchRequests.TokenOffset("GET")));
        return status;
    }

    private void Check(int status, int expected)
    {
        if (status != expected)
        {
            throw new InvalidOperationException($"Expected {expected}, got {status}: {System.Text.Encoding.ASCII.GetString(_server.LastHead)}");
        }
    }
}
