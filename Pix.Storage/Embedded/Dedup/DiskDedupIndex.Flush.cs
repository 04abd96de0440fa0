using System.Collections.Concurrent;

namespace Pix.Storage.Embedded.Dedup;

// The writer's side of the tables and the flusher thread that writes them out, in the order they were frozen.
internal sealed partial class DiskDedupIndex
{
    private readonly BlockingCollection<FlushJob> _flushQueue = new();
    private readonly Thread _flusher;
    private readonly Stack<DedupMemtable> _freeMemtables = new();
    private readonly SemaphoreSlim _memtableReturned = new(0);
    private int _allocatedMemtables;
    private ulong[]? _sortHashes;
    private int[]? _sortSlots;
    private long _writerStalls, _flushes, _bytesWritten;
    // Flush jobs queued and not finished (WaitForIdle).
    private int _jobsInFlight;

    /// <summary>A table to write (or none), and the watermark to record once it is on disk (or none: a table
    /// that filled up between persists).</summary>
    private sealed class FlushJob(DedupMemtable? table, long? watermark)
    {
        public DedupMemtable? Table { get; } = table;

        public long? Watermark { get; } = watermark;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Swaps in an empty table and queues the full one for writing (writer thread).</summary>
    private FlushJob Freeze(long? watermark)
    {
        var next = TakeFreeMemtable();
        DedupMemtable table;
        lock (_versionLock)
        {
            var current = _current;
            table = current.Active;
            Publish(new DedupVersion(next, [table, .. current.Frozen], current.Runs));
        }
        var job = new FlushJob(table, watermark);
        Interlocked.Increment(ref _jobsInFlight);
        _flushQueue.Add(job);
        return job;
    }

    private DedupMemtable TakeFreeMemtable()
    {
        var stalled = false;
        while (true)
        {
            lock (_freeMemtables)
            {
                if (_freeMemtables.Count > 0) return _freeMemtables.Pop();
                if (_allocatedMemtables < DedupIndexOptions.Memtables)
                {
                    _allocatedMemtables++;
                    return new DedupMemtable(_options.MemtableSlots);
                }
            }
            ThrowIfFaulted();
            if (!stalled) Interlocked.Increment(ref _writerStalls);
            stalled = true;
            _memtableReturned.Wait(TimeSpan.FromMilliseconds(100));
        }
    }

    private void ReturnMemtable(DedupMemtable table)
    {
        lock (_freeMemtables) _freeMemtables.Push(table);
        _memtableReturned.Release();
    }

    private void FlushLoop()
    {
        foreach (var job in _flushQueue.GetConsumingEnumerable())
        {
            if (_fault is { } fault)
            {
                job.Done.TrySetException(fault);
                Interlocked.Decrement(ref _jobsInFlight);
                SignalIdleChanged();
                continue;
            }
            try
            {
                Flush(job);
                job.Done.TrySetResult();
            }
            catch (Exception error)
            {
                Fault(error);
                job.Done.TrySetException(error);
                Interlocked.Decrement(ref _jobsInFlight);
                SignalIdleChanged();
                continue;
            }
            if (job.Table is { } table)
            {
                WaitForReaders();
                table.Clear();
                ReturnMemtable(table);
            }
            SignalCompactor();
            Interlocked.Decrement(ref _jobsInFlight);
            SignalIdleChanged();
        }
    }

    private void Flush(FlushJob job)
    {
        var run = job.Table is { Count: > 0 } table ? WriteRun(table) : null;
        lock (_manifestLock)
        {
            var runs = run is null ? _current.Runs : [run, .. _current.Runs];
            var watermark = job.Watermark ?? _watermark;
            if (run is not null || watermark != _watermark) WriteManifest(runs, watermark);
            lock (_versionLock)
            {
                var current = _current;
                Publish(new DedupVersion(current.Active, current.Frozen.Where(t => t != job.Table).ToArray(), runs));
            }
            Volatile.Write(ref _watermark, watermark);
        }
        Interlocked.Increment(ref _flushes);
    }

    /// <summary>Writes a frozen table as a level-0 run: sorted by hash, the newest of equal keys, nothing expired.</summary>
    private DedupRun? WriteRun(DedupMemtable table)
    {
        _sortHashes ??= new ulong[table.Capacity + 1];
        _sortSlots ??= new int[table.Capacity + 1];
        var hashes = _sortHashes;
        var slots = _sortSlots;
        var n = table.CollectFilled(hashes, slots);
        Array.Sort(hashes, slots, 0, n);
        OrderEqualHashesByKey(table, hashes, slots, n);
        var horizon = HorizonMs();
        var id = NextRunId();
        using var writer = new DedupRunWriter(_files, id, 0, n, _options.FingerprintBits);
        for (var i = 0; i < n; i++)
        {
            var newest = table.SlotAt(slots[i]);
            while (i + 1 < n && hashes[i + 1] == hashes[i] && table.SlotAt(slots[i + 1]).Is(newest.Key))
            {
                i++;
                if (table.SlotAt(slots[i]).AtMs > newest.AtMs) newest = table.SlotAt(slots[i]);
            }
            if (newest.AtMs >= horizon) writer.Append(newest, hashes[i]);
        }
        return Seal(writer);
    }

    /// <summary>Finishes a run and makes its directory entry durable (before any manifest names it); a run left
    /// empty is deleted instead.</summary>
    private DedupRun? Seal(DedupRunWriter writer)
    {
        if (writer.Entries == 0)
        {
            var name = DedupRunFormat.FileName(writer.Id);
            writer.Dispose();
            _files.Delete(name);
            return null;
        }
        var run = writer.Finish();
        _files.SyncDirectory();
        Interlocked.Add(ref _bytesWritten, run.DiskBytes);
        return run;
    }

    // A 64-bit hash shared by two keys is rare but possible: equal keys must still sit side by side.
    private static void OrderEqualHashesByKey(DedupMemtable table, ulong[] hashes, int[] slots, int n)
    {
        for (var i = 1; i < n; i++)
        {
            if (hashes[i] != hashes[i - 1]) continue;
            for (var j = i; j > 0 && hashes[j] == hashes[j - 1]
                 && DedupEntry.Compare(hashes[j], table.SlotAt(slots[j]).Key, hashes[j - 1], table.SlotAt(slots[j - 1]).Key) < 0; j--)
            {
                (slots[j], slots[j - 1]) = (slots[j - 1], slots[j]);
            }
        }
    }
}
