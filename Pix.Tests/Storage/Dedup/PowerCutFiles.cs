using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

/// <summary>
/// A disk in memory that remembers what was fsync'd: <see cref="PowerCut"/> brings back the directory as of its
/// last directory fsync and each file as of its last fsync, with any subset of the unsynced 512-byte sectors
/// (a torn write). <see cref="DieAfter"/> makes the process "die" at the n-th mutating operation: that one and
/// every later one throw, as if the machine stopped there.
/// </summary>
internal sealed class PowerCutFiles : DedupFiles
{
    private const int Sector = 512;

    private readonly Lock _lock = new();
    private Dictionary<string, Data> _names = new();
    private Dictionary<string, Data> _durableNames = new();
    private int _operationsLeft = int.MaxValue;

    public int Operations { get; private set; }

    public bool IsDead => _operationsLeft <= 0;

    public void DieAfter(int operations)
    {
        lock (_lock) _operationsLeft = operations;
    }

    /// <summary>Loses what was not fsync'd (keeping a random subset of unsynced sectors) and revives the disk.</summary>
    public void PowerCut(Random random)
    {
        lock (_lock)
        {
            _names = new Dictionary<string, Data>(_durableNames);
            foreach (var data in _names.Values.Distinct()) data.Cut(random);
            _operationsLeft = int.MaxValue;
        }
    }

    public override IReadOnlyList<string> List()
    {
        lock (_lock) return _names.Keys.ToList();
    }

    public override bool Exists(string name)
    {
        lock (_lock) return _names.ContainsKey(name);
    }

    public override DedupFile Create(string name)
    {
        lock (_lock)
        {
            Mutate();
            var data = new Data();
            _names[name] = data;
            return new File(this, name, data);
        }
    }

    public override DedupFile OpenRead(string name)
    {
        lock (_lock)
        {
            if (!_names.TryGetValue(name, out var data)) throw new FileNotFoundException(name);
            return new File(this, name, data);
        }
    }

    public override void Rename(string from, string to)
    {
        lock (_lock)
        {
            Mutate();
            if (!_names.Remove(from, out var data)) throw new FileNotFoundException(from);
            _names[to] = data;
        }
    }

    public override void Delete(string name)
    {
        lock (_lock)
        {
            Mutate();
            _names.Remove(name);
        }
    }

    public override void SyncDirectory()
    {
        lock (_lock)
        {
            Mutate();
            _durableNames = new Dictionary<string, Data>(_names);
        }
    }

    /// <summary>Flips one bit of a file as it is now (damage, not a crash).</summary>
    public void FlipBit(string name, long offset)
    {
        lock (_lock) _names[name].Current[(int)offset] ^= 1;
    }

    private void Mutate()
    {
        Operations++;
        if (_operationsLeft <= 0 || --_operationsLeft == 0) throw new IOException("simulated power cut");
    }

    private sealed class Data
    {
        public byte[] Current = [];
        public int Length;
        public byte[] Durable = [];

        public void Cut(Random random)
        {
            // Any unsynced sector may or may not have reached the disk.
            var kept = (byte[])Durable.Clone();
            var length = Durable.Length;
            for (var at = 0; at < Length; at += Sector)
            {
                var end = Math.Min(Length, at + Sector);
                var differs = end > Durable.Length || !Current.AsSpan(at, end - at).SequenceEqual(Durable.AsSpan(at, end - at));
                if (!differs || random.Next(2) == 0) continue;
                if (end > kept.Length) Array.Resize(ref kept, end);
                Current.AsSpan(at, end - at).CopyTo(kept.AsSpan(at));
                length = Math.Max(length, end);
            }
            Current = kept;
            Length = length;
            Durable = (byte[])kept.Clone();
        }
    }

    private sealed class File(PowerCutFiles owner, string name, Data data) : DedupFile
    {
        public override string Name => name;

        public override long Length
        {
            get { lock (owner._lock) return data.Length; }
        }

        public override int ReadAt(Span<byte> destination, long offset)
        {
            lock (owner._lock)
            {
                var n = (int)Math.Clamp(data.Length - offset, 0, destination.Length);
                if (n == 0) return 0;
                data.Current.AsSpan((int)offset, n).CopyTo(destination);
                return n;
            }
        }

        public override void WriteAt(ReadOnlySpan<byte> source, long offset)
        {
            lock (owner._lock)
            {
                owner.Mutate();
                var end = (int)offset + source.Length;
                if (end > data.Current.Length) Array.Resize(ref data.Current, Math.Max(end, data.Current.Length * 2));
                source.CopyTo(data.Current.AsSpan((int)offset));
                data.Length = Math.Max(data.Length, end);
            }
        }

        public override void Sync()
        {
            lock (owner._lock)
            {
                owner.Mutate();
                data.Durable = data.Current.AsSpan(0, data.Length).ToArray();
            }
        }

        public override void Dispose()
        {
        }
    }
}
