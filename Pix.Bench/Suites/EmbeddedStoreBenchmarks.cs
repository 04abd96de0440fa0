using BenchmarkDotNet.Attributes;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Bench.Suites;

/// <summary>
/// Ingest of one message on the embedded (durable) adapter in a temp directory: the 201 waits for the group
/// commit's fsync, which completes on the store's writer thread.
/// </summary>
[MemoryDiagnoser]
public class EmbeddedStoreBenchmarks
{
    private TempDirectory _directory = null!;
    private EmbeddedServer _server = null!;
    private QueueDrain _drain = null!;
    private byte[] _ingest1 = [];
    private int _serialOffset;
    private long _serial;

    /// <summary>The store's sizes: the defaults in the gate; <c>pix-bench alloc-trace</c> shrinks them so that a short run
    /// rolls segments, writes checkpoints and flushes dedup tables many times.</summary>
    internal long SegmentBytes { get; set; } = new EmbeddedStoreOptions { DataDir = "" }.SegmentBytes;

    internal long DedupCacheBytes { get; set; } = new EmbeddedStoreOptions { DataDir = "" }.DedupCacheBytes;

    internal TimeSpan DedupWindow { get; set; } = TimeSpan.Zero;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory();
        var store = new EmbeddedQueueStore(new EmbeddedStoreOptions
        {
            DataDir = Path.Combine(_directory.Path, "data"),
            DedupWindow = DedupWindow,
            SegmentBytes = SegmentBytes,
            CheckpointBytes = SegmentBytes,
            DedupCacheBytes = DedupCacheBytes,
        });
        _server = new EmbeddedServer(store, _directory.Path);
        _ingest1 = BenchRequests.Ingest(0);
        _serialOffset = BenchMessages.SerialOffsets(_ingest1)[0];
        // Claims are logged and fsync'd too: drain rarely so the operation stays mostly ingest.
        _drain = new QueueDrain(store, Ispb.Parse(BenchMessages.Receiver), 100);
        _drain.Open();
        var status = EmbeddedIngest1();
        if (status != 201) throw new InvalidOperationException($"Expected 201, got {status}: {System.Text.Encoding.ASCII.GetString(_server.LastHead)}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _directory.Dispose();
    }

    /// <summary>POST of one pacs.008, stored durably; every 100th operation also acknowledges the last 100.</summary>
    [Benchmark]
    public int EmbeddedIngest1()
    {
        BenchMessages.Stamp(_ingest1, _serialOffset, ++_serial);
        var status = _server.Send(_ingest1);
        _drain.Stored(1);
        return status;
    }
}
