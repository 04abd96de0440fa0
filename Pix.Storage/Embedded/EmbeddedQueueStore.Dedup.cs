using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;
using Pix.Storage.Files;

namespace Pix.Storage.Embedded;

// The dedup window on disk (DiskDedupIndex in {DataDir}/dedup/): derived from the log, durable up to its watermark.
// The writer adds each stored message's key after the group's fsync and asks for a persist at every checkpoint;
// recovery replays the log after the watermark; retention keeps every segment after it.
public sealed partial class EmbeddedQueueStore
{
    private DiskDedupIndex _dedup = null!;
    // The latest persist asked for (writer thread); a clean shutdown waits for it.
    private Task _dedupPersist = Task.CompletedTask;
    // Why the dedup index stopped writing, or null. It does not recover (a restart rebuilds it from the log), so a
    // disk that answers again does not make the store healthy while this is set.
    private volatile string? _dedupFault;

    private DiskDedupIndex OpenDedup(byte[] instanceId)
    {
        var directory = Path.Combine(_options.DataDir, "dedup");
        // Durable before any manifest in it: a lost directory entry would lose the watermark, and retention may
        // already have deleted the log it would replay.
        if (!_files.Exists(directory))
        {
            _files.CreateDirectory(directory);
            _files.FlushDirectory(_options.DataDir);
        }
        DedupFiles files = _files is DiskFileLayer ? new DiskDedupFiles(directory) : new FileLayerDedupFiles(_files, directory);
        return DiskDedupIndex.Open(files, ResourceId.Create(instanceId, 0), new DedupIndexOptions
        {
            Window = _options.DedupWindow,
            CacheBytes = _options.DedupCacheBytes,
        });
    }

    /// <summary>Remembers a stored message's key (writer thread, after its fsync, in log order; and on replay).</summary>
    private void RememberKey(in MessageRecord record)
    {
        if (record.HasKey) _dedup.Add(record.Key, record.Id, record.StoredAtUnixMs);
    }

    /// <summary>Every key of the log before <paramref name="position"/> is in the index: make that durable. Nothing
    /// waits for it; a failure is a store fault (the index stops taking keys once its tables are full).</summary>
    private void PersistDedup(long position)
    {
        try
        {
            _dedupPersist = _dedup.PersistAsync(position);
        }
        catch (IOException ex)
        {
            DedupFailed(ex);
            return;
        }
        _dedupPersist.ContinueWith(static (task, state) => ((EmbeddedQueueStore)state!).DedupFailed(task.Exception!.GetBaseException()),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void DedupFailed(Exception ex)
    {
        _logger.LogCritical(ex, "The dedup index in {DataDir} cannot write; appends get 503 once its memory is full, until a restart", _options.DataDir);
        _dedupFault = "the dedup index cannot write: " + ex.Message;
        _health = StoreHealth.Failing(_dedupFault);
    }

    private StoreHealth HealthAfterRecovery() => _dedupFault is { } fault ? StoreHealth.Failing(fault) : StoreHealth.Ok;

    /// <summary>The first log segment recovery needs for the dedup index (its durable watermark's), or 0: all.</summary>
    private int DedupKeepsFrom()
    {
        var watermark = _dedup.Watermark;
        return watermark < 0 ? 0 : LogPosition.SegmentOf(watermark);
    }

    /// <summary>Adds the keys of the log between the index's watermark and <paramref name="to"/> (where the state
    /// replay starts): a checkpoint can be newer than the last persist that completed.</summary>
    private void ReplayDedup(IReadOnlyList<int> numbers, long to)
    {
        var from = _dedup.Watermark;
        if (from >= to) return;
        long records = 0;
        foreach (var number in numbers)
        {
            if (LogPosition.Pack(number, SegmentHeader.Length) >= to) break;
            if (from >= 0 && number < LogPosition.SegmentOf(from)) continue;
            var reader = new SegmentReader(_segments, number);
            var offset = from >= 0 && number == LogPosition.SegmentOf(from) ? LogPosition.OffsetOf(from) : SegmentHeader.Length;
            var end = number == LogPosition.SegmentOf(to) ? LogPosition.OffsetOf(to) : reader.Length;
            while (offset < end)
            {
                var problem = ProblemAt(reader, offset, out var recordLength);
                if (problem is not null)
                {
                    // Before the checkpoint, so the state replay never reads it: say what the index may miss.
                    var next = NextValidRecord(reader, offset + 1);
                    _logger.LogError("Dedup replay: {Path} at offset {Offset} is damaged ({Problem}); keys stored there are not in the dedup index",
                        _segments.PathOf(number), offset, problem);
                    if (next < 0) break;
                    offset = next;
                    continue;
                }
                var record = reader.Read(offset, recordLength);
                if ((LogRecordType)record[8] == LogRecordType.Message)
                {
                    RememberKey(MessageRecord.Read(record[LogRecordFrame.HeaderLength..]));
                    records++;
                }
                offset += recordLength;
            }
        }
        _logger.LogInformation("Dedup index: {Records} message records before the checkpoint replayed into it", records);
    }
}
