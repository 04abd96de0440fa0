namespace Pix.Storage.Embedded.Dedup;

// The compactor thread: deletes runs that left the window, and merges runs of one level into one of the next so a
// lookup has few filters to ask. Only this thread removes runs; the flusher only adds the newest.
internal sealed partial class DiskDedupIndex
{
    private readonly Thread _compactor;
    private readonly AutoResetEvent _compactorSignal = new(false);
    private long _merges, _expiredRuns;
    // WaitForIdle: a signal not yet taken, and a pass in progress.
    private volatile bool _compactionRequested;
    private volatile bool _compacting;
    // WaitForIdle blocks on this rather than spinning: with SerialBackgroundWork the writer itself waits here, and on
    // two cores a spinning writer takes the CPU from the flusher and compactor it waits for.
    private readonly object _idleSignal = new();

    private void SignalCompactor()
    {
        _compactionRequested = true;
        _compactorSignal.Set();
    }

    /// <summary>Waits until no flush is queued or running and the compactor has nothing left to do, so a test
    /// driving the store one call at a time sees the same file operations in the same order on every run.</summary>
    internal void WaitForIdle()
    {
        lock (_idleSignal)
        {
            while (!_disposing && _fault is null
                   && (Volatile.Read(ref _jobsInFlight) > 0 || _compactionRequested || _compacting))
            {
                Monitor.Wait(_idleSignal);
            }
        }
    }

    /// <summary>Wakes <see cref="WaitForIdle"/> after a change it waits for (called after the change is made, so a
    /// waiter that checked before it is already waiting and gets the pulse).</summary>
    private void SignalIdleChanged()
    {
        lock (_idleSignal) Monitor.PulseAll(_idleSignal);
    }

    private void CompactLoop()
    {
        while (true)
        {
            _compactorSignal.WaitOne();
            _compacting = true;
            _compactionRequested = false;
            if (_disposing) return;
            if (_fault is not null)
            {
                _compacting = false;
                SignalIdleChanged();
                continue;
            }
            try
            {
                while (!_disposing && (Expire() || MergeOnce()))
                {
                }
            }
            catch (OperationCanceledException) when (_disposing)
            {
                return;
            }
            catch (Exception error)
            {
                Fault(error);
            }
            _compacting = false;
            SignalIdleChanged();
        }
    }

    /// <summary>Deletes every run whose newest key is outside the window: a manifest without them, then the files.</summary>
    private bool Expire()
    {
        _expiryDue = false;
        var horizon = HorizonMs();
        DedupRun[] expired;
        lock (_manifestLock)
        {
            var runs = _current.Runs;
            expired = runs.Where(r => r.MaxAtMs < horizon).ToArray();
            if (expired.Length == 0) return false;
            var kept = runs.Where(r => r.MaxAtMs >= horizon).ToArray();
            WriteManifest(kept, _watermark);
            lock (_versionLock)
            {
                var current = _current;
                Publish(new DedupVersion(current.Active, current.Frozen, kept));
            }
        }
        Interlocked.Add(ref _expiredRuns, expired.Length);
        Drop(expired);
        return true;
    }

    private bool MergeOnce()
    {
        if (!TryPickMerge(Volatile.Read(ref _current).Runs, out var inputs)) return false;
        var output = Merge(inputs, NextRunId(), inputs[0].Level + 1, HorizonMs());
        lock (_manifestLock)
        {
            var runs = _current.Runs;
            var first = Array.IndexOf(runs, inputs[0]);
            DedupRun[] merged = output is null
                ? [.. runs[..first], .. runs[(first + inputs.Length)..]]
                : [.. runs[..first], output, .. runs[(first + inputs.Length)..]];
            WriteManifest(merged, _watermark);
            lock (_versionLock)
            {
                var current = _current;
                Publish(new DedupVersion(current.Active, current.Frozen, merged));
            }
        }
        Drop(inputs);
        Interlocked.Increment(ref _merges);
        return true;
    }

    /// <summary>The oldest <see cref="DedupIndexOptions.MergeFanout"/> adjacent runs of one level whose merge
    /// spans no more than <see cref="DedupIndexOptions.MaxRunSpan"/>.</summary>
    private bool TryPickMerge(DedupRun[] runs, out DedupRun[] inputs)
    {
        var fanout = _options.MergeFanout;
        for (var oldest = runs.Length - 1; oldest - fanout + 1 >= 0; oldest--)
        {
            var newest = oldest - fanout + 1;
            var level = runs[oldest].Level;
            var sameLevel = true;
            for (var i = newest; i < oldest && sameLevel; i++) sameLevel = runs[i].Level == level;
            if (!sameLevel || runs[newest].MaxAtMs - runs[oldest].MinAtMs > _options.MaxRunSpanMs) continue;
            inputs = runs[newest..(oldest + 1)];
            return true;
        }
        inputs = [];
        return false;
    }

    /// <summary>Merges runs (newest first) into one: the newest of equal keys, nothing expired.</summary>
    private DedupRun? Merge(DedupRun[] inputs, long id, int level, long horizon)
    {
        var cursors = new DedupRunCursor[inputs.Length];
        var live = new bool[inputs.Length];
        long total = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            cursors[i] = inputs[i].OpenCursor();
            live[i] = cursors[i].MoveNext();
            total += inputs[i].Entries;
        }
        using var writer = new DedupRunWriter(_files, id, level, total, _options.FingerprintBits);
        long steps = 0;
        while (true)
        {
            var min = -1;
            for (var i = 0; i < cursors.Length; i++)
            {
                if (!live[i]) continue;
                if (min < 0 || DedupEntry.Compare(cursors[i].CurrentHash, cursors[i].Current.Key,
                        cursors[min].CurrentHash, cursors[min].Current.Key) < 0) min = i;
            }
            if (min < 0) break;
            var hash = cursors[min].CurrentHash;
            var newest = cursors[min].Current;
            for (var i = 0; i < cursors.Length; i++)
            {
                while (live[i] && cursors[i].CurrentHash == hash && cursors[i].Current.Is(newest.Key))
                {
                    if (cursors[i].Current.AtMs > newest.AtMs) newest = cursors[i].Current;
                    live[i] = cursors[i].MoveNext();
                }
            }
            if (newest.AtMs >= horizon) writer.Append(newest, hash);
            if ((++steps & 0xFFFF) == 0 && _disposing) throw new OperationCanceledException();
        }
        return Seal(writer);
    }

    /// <summary>Closes and deletes runs no manifest names any more, once no reader can be in them.</summary>
    private void Drop(DedupRun[] runs)
    {
        WaitForReaders();
        foreach (var run in runs)
        {
            run.Dispose();
            _files.Delete(run.FileName);
        }
    }
}
