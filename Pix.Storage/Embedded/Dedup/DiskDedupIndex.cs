using System.Collections.Concurrent;
using Pix.Protocol.Ids;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// The dedup window on disk: (Fr, BizMsgIdr) -> ResourceId for the last <see cref="DedupIndexOptions.Window"/>.
/// The newest keys are in fixed in-memory tables; a table is written out as an immutable run file sorted by hash,
/// with a filter and fences kept in memory (under 2 bytes per key); runs of one level are merged in the
/// background, and a run whose newest key has left the window is deleted whole. The index is derived state: the
/// store's log is the truth, and <see cref="Watermark"/> says up to which log position the index is on disk.
/// </summary>
/// <remarks>
/// Threads: any number of <see cref="TryGet"/> callers; one writer calling <see cref="Add"/> and
/// <see cref="PersistAsync"/> in log order; a flusher and a compactor of its own. No lock is held during I/O by
/// anything a caller waits for; the writer waits only when all four tables are full and unwritten.
/// </remarks>
internal sealed partial class DiskDedupIndex : IDisposable
{
    private readonly DedupFiles _files;
    private readonly DedupIndexOptions _options;
    private readonly ulong _instanceHigh;
    private readonly ulong _instanceMiddle;
    private readonly Lock _versionLock = new();
    private readonly Lock _manifestLock = new();
    private readonly List<DedupVersion> _retired = new();
    private DedupVersion _current;
    private long _latestMs = long.MinValue;
    private long _watermark;
    private long _nextRunId;
    private volatile Exception? _fault;
    private volatile bool _disposing;
    private volatile bool _expiryDue;

    private DiskDedupIndex(DedupFiles files, DedupIndexOptions options, ResourceId instance, DedupManifest manifest, DedupRun[] runs)
    {
        _files = files;
        _options = options;
        _instanceHigh = instance.High;
        _instanceMiddle = instance.Middle;
        _watermark = manifest.Watermark;
        _nextRunId = manifest.NextRunId;
        foreach (var run in runs) _latestMs = Math.Max(_latestMs, run.MaxAtMs);
        _current = new DedupVersion(TakeFreeMemtable(), [], runs);
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "pix-dedup-flush" };
        _compactor = new Thread(CompactLoop) { IsBackground = true, Name = "pix-dedup-compact" };
        _flusher.Start();
        _compactor.Start();
    }

    /// <summary>Opens (or creates) the index in <paramref name="directory"/> for the store whose resource ids
    /// carry <paramref name="instance13"/>.</summary>
    public static DiskDedupIndex Open(string directory, ReadOnlySpan<byte> instance13, DedupIndexOptions options) =>
        Open(new DiskDedupFiles(directory), ResourceId.Create(instance13, 0), options);

    internal static DiskDedupIndex Open(DedupFiles files, ResourceId instance, DedupIndexOptions options)
    {
        var manifest = DedupManifest.Read(files)
            ?? new DedupManifest(DedupManifest.NoWatermark, instance.High, instance.Middle, 1, []);
        if (manifest.InstanceHigh != instance.High || manifest.InstanceMiddle != instance.Middle)
        {
            throw new InvalidDataException("The dedup index belongs to another store instance (its resource ids differ).");
        }
        // Files no manifest names: runs written before a crash, inputs of a merge, a manifest never renamed.
        var named = manifest.Runs.Select(r => r.Id).ToHashSet();
        var nextRunId = manifest.NextRunId;
        foreach (var name in files.List())
        {
            var isRun = DedupRunFormat.TryParseFileName(name, out var id);
            if (isRun) nextRunId = Math.Max(nextRunId, id + 1);
            if (name == DedupManifest.TemporaryName || (isRun && !named.Contains(id))) files.Delete(name);
        }
        var runs = new List<DedupRun>(manifest.Runs.Count);
        try
        {
            foreach (var run in manifest.Runs) runs.Add(DedupRun.Open(files, run.Id, run.Level));
        }
        catch
        {
            foreach (var run in runs) run.Dispose();
            throw;
        }
        return new DiskDedupIndex(files, options, instance, manifest with { NextRunId = nextRunId }, runs.ToArray());
    }

    /// <summary>The log position the index is durable up to (<see cref="DedupManifest.NoWatermark"/>: none).
    /// On open the store replays every log record after it through <see cref="Add"/>.</summary>
    public long Watermark => Volatile.Read(ref _watermark);

    /// <summary>The newest time added; keys added before this minus the window are absent.</summary>
    public long LatestAtMs => Volatile.Read(ref _latestMs);

    /// <summary>Finds a key added within the window. Safe from any number of threads at once.</summary>
    public bool TryGet(in DedupKey key, out ResourceId id)
    {
        var hash = key.Hash();
        var horizon = HorizonMs();
        var version = Acquire();
        try
        {
            if (Find(version, key, hash, horizon, out var sequence))
            {
                id = new ResourceId(_instanceHigh, _instanceMiddle, sequence);
                return true;
            }
        }
        finally
        {
            version.Release();
        }
        id = default;
        return false;
    }

    /// <summary>Remembers a key (writer thread only, in log order). A key already present and inside the window
    /// is kept as it is. Waits only when every table is full and not yet written (the disk is behind).</summary>
    public void Add(in DedupKey key, ResourceId id, long atMs)
    {
        if (id.High != _instanceHigh || id.Middle != _instanceMiddle)
        {
            throw new ArgumentException("The resource id is not of this store's instance.", nameof(id));
        }
        if (atMs > _latestMs) Volatile.Write(ref _latestMs, atMs);
        var active = _current.Active;
        if (active.IsFull)
        {
            Freeze(null);
            active = _current.Active;
        }
        var horizon = HorizonMs();
        active.Add(key, key.Hash(), id.Sequence, atMs, horizon);
        var runs = _current.Runs;
        if (runs.Length > 0 && runs[^1].MaxAtMs < horizon && !_expiryDue)
        {
            _expiryDue = true;
            SignalCompactor();
        }
    }

    /// <summary>
    /// Makes every key added so far durable and records <paramref name="watermark"/>: the log position of the last
    /// record added (writer thread). Returns at once; the task completes when the manifest naming the watermark is
    /// on disk. Lookups and adds go on meanwhile.
    /// </summary>
    public Task PersistAsync(long watermark)
    {
        ThrowIfFaulted();
        if (_current.Active.Count == 0)
        {
            var job = new FlushJob(null, watermark);
            Interlocked.Increment(ref _jobsInFlight);
            _flushQueue.Add(job);
            return job.Done.Task;
        }
        return Freeze(watermark).Done.Task;
    }

    public DedupIndexStats Stats()
    {
        var version = Acquire();
        try
        {
            long entries = 0, disk = 0, filters = 0;
            foreach (var run in version.Runs)
            {
                entries += run.Entries;
                disk += run.DiskBytes;
                filters += run.MemoryBytes;
            }
            var tableKeys = version.Active.Count;
            foreach (var table in version.Frozen) tableKeys += table.Count;
            return new DedupIndexStats(version.Runs.Length, entries, tableKeys, filters, (long)_allocatedMemtables * version.Active.Bytes,
                disk, Volatile.Read(ref _writerStalls), Volatile.Read(ref _flushes), Volatile.Read(ref _merges),
                Volatile.Read(ref _expiredRuns), Volatile.Read(ref _bytesWritten));
        }
        finally
        {
            version.Release();
        }
    }

    public void Dispose()
    {
        if (_disposing) return;
        _disposing = true;
        SignalIdleChanged();
        _flushQueue.CompleteAdding();
        _flusher.Join();
        _compactorSignal.Set();
        _compactor.Join();
        foreach (var run in _current.Runs) run.Dispose();
        _flushQueue.Dispose();
        _compactorSignal.Dispose();
    }

    private bool Find(DedupVersion version, in DedupKey key, ulong hash, long horizon, out ulong sequence)
    {
        sequence = 0;
        DedupEntry found;
        if (version.Active.TryGet(key, hash, horizon, out found))
        {
            sequence = found.Sequence;
            return true;
        }
        foreach (var table in version.Frozen)
        {
            if (!table.TryGet(key, hash, horizon, out found)) continue;
            sequence = found.Sequence;
            return true;
        }
        foreach (var run in version.Runs)
        {
            // Runs are newest first: once one is wholly outside the window, so are the rest.
            if (run.MaxAtMs < horizon) return false;
            if (!run.TryGet(key, hash, out found)) continue;
            if (found.AtMs < horizon) return false;
            sequence = found.Sequence;
            return true;
        }
        return false;
    }

    private DedupVersion Acquire()
    {
        while (true)
        {
            var version = Volatile.Read(ref _current);
            if (version.TryAcquire()) return version;
        }
    }

    private long HorizonMs()
    {
        var latest = Volatile.Read(ref _latestMs);
        return latest == long.MinValue ? long.MinValue : latest - _options.WindowMs;
    }

    /// <summary>Makes <paramref name="version"/> current (under the version lock).</summary>
    private void Publish(DedupVersion version)
    {
        var old = _current;
        Volatile.Write(ref _current, version);
        _retired.Add(old);
        old.Release();
    }

    /// <summary>Waits until no reader holds a version replaced before now, so what only those named can go.</summary>
    private void WaitForReaders()
    {
        DedupVersion[] retired;
        lock (_versionLock) retired = _retired.ToArray();
        foreach (var version in retired) version.WaitUntilReleased();
        lock (_versionLock) _retired.RemoveAll(v => Array.IndexOf(retired, v) >= 0);
    }

    private void WriteManifest(IReadOnlyList<DedupRun> runs, long watermark) =>
        new DedupManifest(watermark, _instanceHigh, _instanceMiddle, Volatile.Read(ref _nextRunId),
            runs.Select(r => new DedupManifest.RunRef(r.Id, r.Level)).ToArray()).Write(_files);

    private long NextRunId() => Interlocked.Increment(ref _nextRunId) - 1;

    private void ThrowIfFaulted()
    {
        var fault = _fault;
        if (fault is not null) throw new IOException("The dedup index cannot write to disk: " + fault.Message, fault);
        ObjectDisposedException.ThrowIf(_disposing, this);
    }

    private void Fault(Exception error)
    {
        _fault ??= error;
        _memtableReturned.Release();
        SignalIdleChanged();
    }
}
