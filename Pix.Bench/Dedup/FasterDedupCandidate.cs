using FASTER.core;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Bench.Dedup;

/// <summary>
/// FasterKV (Microsoft.FASTER.Core): a hash index in memory (sized to 2 bytes per key, rounded down to a power of
/// two, as the budget allows) over a hybrid log whose in-memory part is the cache. Persist = a fold-over hybrid
/// log checkpoint; expiry = shifting the log's begin address past the records older than the window (the log is in
/// insertion order, so this is cheap).
/// </summary>
internal sealed class FasterDedupCandidate : IDedupCandidate
{
    public struct Value
    {
        public ulong Sequence;
        public long AtMs;
    }

    private readonly FasterKV<DedupKey, Value> _store;
    private readonly ClientSession<DedupKey, Value, Value, Value, Empty, SimpleFunctions<DedupKey, Value>> _session;
    private readonly IDevice _log;
    private readonly List<(long AtMs, long Address)> _marks = new();
    private readonly string _marksFile;
    private long _lastMarkMs = long.MinValue;

    public FasterDedupCandidate(string directory, long cacheBytes, long expectedKeys)
    {
        Directory.CreateDirectory(directory);
        _log = Devices.CreateLogDevice(Path.Combine(directory, "hlog.log"), preallocateFile: false);
        var settings = new FasterKVSettings<DedupKey, Value>(null)
        {
            IndexSize = Math.Max(1L << 16, expectedKeys * 2),
            LogDevice = _log,
            MemorySize = cacheBytes,
            PageSize = 1L << 22,
            CheckpointDir = Path.Combine(directory, "checkpoints"),
            EqualityComparer = new KeyComparer(),
            TryRecoverLatest = true,
            RemoveOutdatedCheckpoints = true,
        };
        _store = new FasterKV<DedupKey, Value>(settings);
        // The log addresses by key time survive a reopen in a side file, as a store would keep them.
        _marksFile = Path.Combine(directory, "marks.txt");
        if (File.Exists(_marksFile))
        {
            foreach (var line in File.ReadLines(_marksFile))
            {
                var parts = line.Split(' ');
                _marks.Add((long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
            _lastMarkMs = _marks.Count > 0 ? _marks[^1].AtMs : long.MinValue;
        }
        _session = _store.For(new SimpleFunctions<DedupKey, Value>()).NewSession<SimpleFunctions<DedupKey, Value>>();
    }

    public void Add(in DedupKey key, ulong sequence, long atMs)
    {
        var k = key;
        var v = new Value { Sequence = sequence, AtMs = atMs };
        _session.Upsert(ref k, ref v);
        // Where the log stood at each minute of key time, for expiry by address.
        if (_lastMarkMs == long.MinValue || atMs - _lastMarkMs >= 60_000)
        {
            _marks.Add((atMs, _store.Log.TailAddress));
            _lastMarkMs = atMs;
        }
    }

    public bool TryGet(in DedupKey key, out ulong sequence)
    {
        var k = key;
        var output = default(Value);
        var status = _session.Read(ref k, ref output);
        if (status.IsPending)
        {
            _session.CompletePendingWithOutputs(out var outputs, wait: true);
            using (outputs)
            {
                status = default;
                while (outputs.Next())
                {
                    status = outputs.Current.Status;
                    output = outputs.Current.Output;
                }
            }
        }
        sequence = output.Sequence;
        return status.Found;
    }

    public void Persist(long watermark)
    {
        _store.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        File.WriteAllLines(_marksFile, _marks.Select(m => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.AtMs} {m.Address}")));
    }

    public void PersistAll() => _store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();

    public string Expire(long horizonMs)
    {
        var address = 0L;
        foreach (var (atMs, mark) in _marks)
        {
            if (atMs > horizonMs) break;
            address = mark;
        }
        if (address <= _store.Log.BeginAddress) return "nothing to expire";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _store.Log.ShiftBeginAddress(address, truncateLog: true);
        return $"ShiftBeginAddress took {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms";
    }

    public string Describe() =>
        $"index {_store.IndexSize * 64 / 1048576.0:F0} MiB + overflow buckets {_store.OverflowBucketCount:N0} ({_store.OverflowBucketCount * 64 / 1048576.0:F0} MiB); log {(_store.Log.TailAddress - _store.Log.BeginAddress) / 1048576.0:F0} MiB";

    public void Dispose()
    {
        _session.Dispose();
        _store.Dispose();
        _log.Dispose();
    }

    private sealed class KeyComparer : IFasterEqualityComparer<DedupKey>
    {
        public bool Equals(ref DedupKey k1, ref DedupKey k2) => k1 == k2;

        public long GetHashCode64(ref DedupKey k) => (long)k.Hash();
    }
}
