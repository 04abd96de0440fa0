using Pix.Storage.Embedded;
using Pix.Storage.Files;

namespace Pix.Tests.Storage.Simulation;

/// <summary>
/// A disk in memory that keeps, per file and per directory, what is durable and what is only written. A simulated
/// power cut (<see cref="PowerCut"/>) keeps what was fsync'd, plus a random prefix of what was not (the page cache
/// may have written some of it back), the last of those writes possibly torn at a 512-byte boundary; a file
/// created or renamed without its directory's fsync may vanish, a deleted one come back. Faults can be injected
/// per operation (<see cref="Fault"/>), a stall on fsync (<see cref="FlushGate"/>), and a cut after a number of
/// mutating operations (<see cref="CutAfter"/>), after which every operation fails as on a machine that lost power.
/// </summary>
internal sealed class SimulatedDisk : IFileLayer
{
    public const int SectorBytes = 512;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Folder> _folders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locked = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private long _mutations;
    private bool _cut;

    public SimulatedDisk(TimeProvider clock, params string[] durableDirectories)
    {
        _clock = clock;
        foreach (var directory in durableDirectories) _folders[directory] = new Folder { Durable = true };
    }

    /// <summary>Called with (operation, path) before each operation; an exception it returns is thrown instead.</summary>
    public Func<string, string, Exception?>? Fault { get; set; }

    /// <summary>When set, every file fsync waits for it (a disk that stopped answering).</summary>
    public ManualResetEventSlim? FlushGate { get; set; }

    /// <summary>After this many mutating operations the power is cut: that one and all later ones fail.</summary>
    public long CutAfter { get; set; } = long.MaxValue;

    /// <summary>Whether the power is off (every operation fails).</summary>
    public bool IsCut { get { lock (_lock) return _cut; } }

    /// <summary>Mutating operations so far (writes, truncates, fsyncs, creates, renames, deletes).</summary>
    public long Mutations { get { lock (_lock) return _mutations; } }

    /// <summary>Fsyncs called from a method of this name are silently skipped (to show that each one matters):
    /// <c>Method</c> for both kinds, <c>Method/file</c> or <c>Method/dir</c> for one.</summary>
    public string? SkipFlushesFrom { get; set; }

    public IStoredFile Create(string path)
    {
        lock (_lock)
        {
            Mutate("create", path);
            var (folder, name) = Locate(path);
            if (folder.Current.ContainsKey(name)) throw new IOException($"The file '{path}' already exists.");
            var node = new Node { LastWrite = _clock.GetUtcNow().UtcDateTime };
            folder.Current[name] = node;
            folder.Unsynced.Add(new Entry(name, node));
            return new Handle(this, node, path);
        }
    }

    public IStoredFile Open(string path)
    {
        lock (_lock)
        {
            Check("open", path);
            var (folder, name) = Locate(path);
            return folder.Current.TryGetValue(name, out var node) ? new Handle(this, node, path) : throw new FileNotFoundException(path);
        }
    }

    public bool Exists(string path)
    {
        lock (_lock)
        {
            Check("exists", path);
            if (_folders.ContainsKey(path)) return true;
            var directory = Path.GetDirectoryName(path)!;
            return _folders.TryGetValue(directory, out var folder) && folder.Current.ContainsKey(Path.GetFileName(path));
        }
    }

    public IReadOnlyList<string> List(string directory, string suffix)
    {
        lock (_lock)
        {
            Check("list", directory);
            if (!_folders.TryGetValue(directory, out var folder)) throw new DirectoryNotFoundException(directory);
            return [.. folder.Current.Keys.Where(n => n.EndsWith(suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
    }

    public void CreateDirectory(string path)
    {
        lock (_lock)
        {
            Mutate("mkdir", path);
            if (_folders.ContainsKey(path)) return;
            var parent = Path.GetDirectoryName(path)!;
            if (!_folders.TryGetValue(parent, out var folder)) throw new DirectoryNotFoundException(parent);
            _folders[path] = new Folder();
            folder.Unsynced.Add(new Entry(Path.GetFileName(path), null) { Directory = path });
        }
    }

    public void FlushDirectory(string directory)
    {
        lock (_lock)
        {
            if (Skips("dir")) return;
            Mutate("flushdir", directory);
            if (!_folders.TryGetValue(directory, out var folder)) throw new DirectoryNotFoundException(directory);
            foreach (var change in folder.Unsynced)
            {
                if (change.Directory is not null) folder.DurableDirectories.Add(change.Name);
                else Apply(folder.DurableEntries, change);
            }
            folder.Unsynced.Clear();
        }
    }

    public void Rename(string from, string to)
    {
        lock (_lock)
        {
            Mutate("rename", from);
            var (source, fromName) = Locate(from);
            var (target, toName) = Locate(to);
            if (!ReferenceEquals(source, target)) throw new IOException("Renames across directories are not simulated.");
            if (!source.Current.Remove(fromName, out var node)) throw new FileNotFoundException(from);
            source.Current[toName] = node;
            source.Unsynced.Add(new Entry(toName, node) { RenamedFrom = fromName });
        }
    }

    public DateTime LastWriteUtc(string path)
    {
        lock (_lock)
        {
            var (folder, name) = Locate(path);
            return folder.Current.TryGetValue(name, out var node) ? node.LastWrite : throw new FileNotFoundException(path);
        }
    }

    public void Delete(string path)
    {
        lock (_lock)
        {
            var (folder, name) = Locate(path);
            if (!folder.Current.ContainsKey(name)) return;
            Mutate("delete", path);
            folder.Current.Remove(name);
            folder.Unsynced.Add(new Entry(name, null));
        }
    }

    public IDisposable LockDirectory(string directory)
    {
        lock (_lock)
        {
            if (!_locked.Add(directory)) throw new DataDirectoryInUseException($"{directory} is locked (simulated).", new IOException());
            return new Unlock(this, directory);
        }
    }

    /// <summary>What the disk holds after a power cut now: a new disk (this one keeps failing, like the dead machine).</summary>
    public SimulatedDisk PowerCut(Random random)
    {
        lock (_lock)
        {
            _cut = true;
            var after = new SimulatedDisk(_clock);
            var copies = new Dictionary<Node, Node>();
            foreach (var (path, folder) in _folders)
            {
                // A directory whose own name never became durable is gone with everything in it.
                if (!folder.Durable && !NameIsDurable(path)) continue;
                after._folders[path] = new Folder { Durable = true };
            }
            foreach (var (path, folder) in _folders)
            {
                if (!after._folders.TryGetValue(path, out var kept)) continue;
                var entries = new Dictionary<string, Node>(folder.DurableEntries, StringComparer.Ordinal);
                // The file system may have written back some of the unsynced changes, in order.
                var written = random.Next(folder.Unsynced.Count + 1);
                for (var i = 0; i < written; i++) Apply(entries, folder.Unsynced[i]);
                foreach (var (name, node) in entries)
                {
                    if (!copies.TryGetValue(node, out var copy)) copies[node] = copy = node.AfterPowerCut(random, _clock);
                    kept.Current[name] = copy;
                    kept.DurableEntries[name] = copy;
                }
            }
            return after;
        }
    }

    /// <summary>Every file's current bytes (for a test that looks at what the store wrote).</summary>
    public byte[] Contents(string path)
    {
        lock (_lock)
        {
            var (folder, name) = Locate(path);
            return folder.Current[name].Data.AsSpan(0, (int)folder.Current[name].Length).ToArray();
        }
    }

    private bool NameIsDurable(string directory)
    {
        var parent = Path.GetDirectoryName(directory);
        if (parent is null || !_folders.TryGetValue(parent, out var folder)) return false;
        var name = Path.GetFileName(directory);
        return folder.DurableDirectories.Contains(name);
    }

    private static void Apply(Dictionary<string, Node> entries, Entry change)
    {
        if (change.Directory is not null) return;
        if (change.RenamedFrom is not null) entries.Remove(change.RenamedFrom);
        if (change.Node is null) entries.Remove(change.Name);
        else entries[change.Name] = change.Node;
    }

    private (Folder Folder, string Name) Locate(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        return _folders.TryGetValue(directory, out var folder) ? (folder, Path.GetFileName(path)) : throw new DirectoryNotFoundException(directory);
    }

    // Caller holds _lock.
    private void Check(string operation, string path)
    {
        if (_cut) throw new IOException("The power is off (simulated).");
        if (Fault?.Invoke(operation, path) is { } fault) throw fault;
    }

    // Caller holds _lock.
    private void Mutate(string operation, string path)
    {
        Check(operation, path);
        if (++_mutations >= CutAfter)
        {
            _cut = true;
            throw new IOException("The power went off (simulated).");
        }
    }

    private bool Skips(string kind)
    {
        if (SkipFlushesFrom is not { } skipped) return false;
        var parts = skipped.Split('/');
        if (parts.Length > 1 && parts[1] != kind) return false;
        return new System.Diagnostics.StackTrace().GetFrames().Any(f => f.GetMethod()?.Name == parts[0]);
    }

    private sealed class Folder
    {
        public bool Durable;
        public readonly Dictionary<string, Node> Current = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Node> DurableEntries = new(StringComparer.Ordinal);
        public readonly HashSet<string> DurableDirectories = new(StringComparer.Ordinal);
        public readonly List<Entry> Unsynced = new();
    }

    // A change of a directory's entries not yet fsync'd: a name now naming a node, a name removed (Node null), a
    // rename (RenamedFrom), or a subdirectory created.
    private sealed record Entry(string Name, Node? Node)
    {
        public string? RenamedFrom { get; init; }
        public string? Directory { get; init; }
    }

    private sealed class Node
    {
        public byte[] Data = new byte[4096];
        public long Length;
        public byte[] DurableData = [];
        // Writes and length changes since the last fsync, in order.
        public readonly List<(long Offset, byte[]? Bytes, long Length)> Unsynced = new();
        public DateTime LastWrite;

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            var end = offset + bytes.Length;
            if (end > Data.Length) Array.Resize(ref Data, (int)Math.Max(end, Data.Length * 2L));
            bytes.CopyTo(Data.AsSpan((int)offset));
            Length = Math.Max(Length, end);
            Unsynced.Add((offset, bytes.ToArray(), 0));
        }

        public void SetLength(long length)
        {
            if (length > Data.Length) Array.Resize(ref Data, (int)Math.Max(length, Data.Length * 2L));
            if (length < Length) Array.Clear(Data, (int)length, (int)(Length - length));
            Length = length;
            Unsynced.Add((0, null, length));
        }

        public void Flush()
        {
            DurableData = Data.AsSpan(0, (int)Length).ToArray();
            Unsynced.Clear();
        }

        public Node AfterPowerCut(Random random, TimeProvider clock)
        {
            var bytes = new List<byte>(DurableData);
            var kept = random.Next(Unsynced.Count + 1);
            for (var i = 0; i < kept && i < Unsynced.Count; i++)
            {
                var (offset, data, length) = Unsynced[i];
                var torn = i == kept - 1 && data is not null && random.Next(2) == 0;
                if (data is null)
                {
                    if (length < bytes.Count) bytes.RemoveRange((int)length, bytes.Count - (int)length);
                    else bytes.AddRange(new byte[length - bytes.Count]);
                    continue;
                }
                var count = data.Length;
                if (torn)
                {
                    // Only whole sectors of the last write made it: cut at a 512-byte boundary of the file.
                    var boundaries = new List<int>();
                    for (var at = (offset / SectorBytes + 1) * SectorBytes; at < offset + data.Length; at += SectorBytes) boundaries.Add((int)(at - offset));
                    count = boundaries.Count == 0 ? 0 : boundaries[random.Next(boundaries.Count)];
                }
                var end = (int)offset + count;
                if (end > bytes.Count) bytes.AddRange(new byte[end - bytes.Count]);
                for (var b = 0; b < count; b++) bytes[(int)offset + b] = data[b];
            }
            var node = new Node { LastWrite = LastWrite };
            node.Data = bytes.Count > 0 ? [.. bytes] : new byte[4096];
            node.Length = bytes.Count;
            node.DurableData = bytes.ToArray();
            return node;
        }
    }

    private sealed class Handle(SimulatedDisk disk, Node node, string path) : IStoredFile
    {
        public long Length { get { lock (disk._lock) return node.Length; } }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            lock (disk._lock)
            {
                disk.Mutate("write", path);
                node.Write(offset, data);
                node.LastWrite = disk._clock.GetUtcNow().UtcDateTime;
            }
        }

        public int Read(long offset, Span<byte> into)
        {
            lock (disk._lock)
            {
                disk.Check("read", path);
                if (offset >= node.Length) return 0;
                var count = (int)Math.Min(into.Length, node.Length - offset);
                node.Data.AsSpan((int)offset, count).CopyTo(into);
                return count;
            }
        }

        public void Truncate(long length)
        {
            lock (disk._lock)
            {
                disk.Mutate("truncate", path);
                node.SetLength(length);
            }
        }

        public void Flush()
        {
            disk.FlushGate?.Wait();
            lock (disk._lock)
            {
                if (disk.Skips("file")) return;
                disk.Mutate("flush", path);
                node.Flush();
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class Unlock(SimulatedDisk disk, string directory) : IDisposable
    {
        public void Dispose()
        {
            lock (disk._lock) disk._locked.Remove(directory);
        }
    }
}
