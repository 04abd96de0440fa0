namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// Every file and directory operation of the dedup index, so a test can replace the disk with one that loses
/// whatever was not fsync'd at a simulated power cut. Names are plain file names inside one directory.
/// </summary>
internal abstract class DedupFiles
{
    public abstract IReadOnlyList<string> List();

    public abstract bool Exists(string name);

    /// <summary>Creates (or truncates) a file for writing.</summary>
    public abstract DedupFile Create(string name);

    public abstract DedupFile OpenRead(string name);

    /// <summary>Replaces <paramref name="to"/> with <paramref name="from"/> in one step.</summary>
    public abstract void Rename(string from, string to);

    public abstract void Delete(string name);

    /// <summary>Makes the directory's entries (creations, renames, deletions) durable.</summary>
    public abstract void SyncDirectory();
}

/// <summary>An open file of <see cref="DedupFiles"/>: positioned reads and writes, fsync.</summary>
internal abstract class DedupFile : IDisposable
{
    public abstract string Name { get; }

    public abstract long Length { get; }

    /// <summary>Reads until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public abstract int ReadAt(Span<byte> destination, long offset);

    public abstract void WriteAt(ReadOnlySpan<byte> source, long offset);

    /// <summary>fsync: what was written so far survives a power cut.</summary>
    public abstract void Sync();

    public abstract void Dispose();
}
