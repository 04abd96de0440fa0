namespace Pix.Storage.Files;

/// <summary>
/// Every file and directory operation the embedded store makes, and nothing else: the disk (<see cref="DiskFileLayer"/>)
/// in production, a simulated disk in the tests that loses whatever was not fsync'd at a simulated power cut. Paths
/// are full paths; <see cref="List"/> answers names. Durability is explicit: a write is durable after
/// <see cref="IStoredFile.Flush"/>, a new, renamed or deleted name after <see cref="FlushDirectory"/> of its directory.
/// </summary>
internal interface IFileLayer
{
    /// <summary>Creates a new, empty file; fails if the name exists.</summary>
    IStoredFile Create(string path);

    /// <summary>Opens an existing file for reading and writing.</summary>
    IStoredFile Open(string path);

    bool Exists(string path);

    /// <summary>Names (not paths) of the files in <paramref name="directory"/> whose names end with <paramref name="suffix"/>.</summary>
    IReadOnlyList<string> List(string directory, string suffix);

    /// <summary>Creates the directory and any missing parents (their names are durable after flushing each parent).</summary>
    void CreateDirectory(string path);

    /// <summary>Makes the directory's entries (created, renamed, deleted names) durable.</summary>
    void FlushDirectory(string directory);

    /// <summary>Renames, replacing <paramref name="to"/> if it exists.</summary>
    void Rename(string from, string to);

    /// <summary>When the file was last written (retention's age of a segment).</summary>
    DateTime LastWriteUtc(string path);

    /// <summary>Removes the name; a missing file is no error.</summary>
    void Delete(string path);

    /// <summary>Holds the directory for this process until disposed (a second holder is refused).</summary>
    IDisposable LockDirectory(string directory);
}

/// <summary>One open file: positional reads and writes, no cursor, safe to read from several threads.</summary>
internal interface IStoredFile : IDisposable
{
    long Length { get; }

    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Reads up to <paramref name="into"/>'s length at <paramref name="offset"/>; 0 at the end of the file.</summary>
    int Read(long offset, Span<byte> into);

    /// <summary>Sets the file's length (cuts, or extends with zeros).</summary>
    void Truncate(long length);

    /// <summary>fdatasync: the file's contents and length are durable when this returns (its timestamps need not be).</summary>
    void Flush();
}
