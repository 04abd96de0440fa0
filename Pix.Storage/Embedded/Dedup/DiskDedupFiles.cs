using Microsoft.Win32.SafeHandles;
using Pix.Storage.Files;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>The real disk: one directory, <see cref="RandomAccess"/> on file handles.</summary>
internal sealed class DiskDedupFiles : DedupFiles
{
    private readonly string _directory;

    public DiskDedupFiles(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public override IReadOnlyList<string> List() =>
        Directory.GetFiles(_directory).Select(Path.GetFileName).OfType<string>().ToList();

    public override bool Exists(string name) => File.Exists(PathOf(name));

    public override DedupFile Create(string name) =>
        new DiskFile(name, File.OpenHandle(PathOf(name), FileMode.Create, FileAccess.ReadWrite, FileShare.Read, FileOptions.RandomAccess));

    // RandomAccess is posix_fadvise(RANDOM): a lookup reads one 4 KiB block, and the kernel's readahead would
    // otherwise read up to 128 KiB around it on a cold cache.
    public override DedupFile OpenRead(string name) =>
        new DiskFile(name, File.OpenHandle(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess));

    public override void Rename(string from, string to) => File.Move(PathOf(from), PathOf(to), overwrite: true);

    public override void Delete(string name) => File.Delete(PathOf(name));

    public override void SyncDirectory() => DirectoryFlush.Flush(_directory);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private sealed class DiskFile(string name, SafeFileHandle handle) : DedupFile
    {
        public override string Name => name;

        public override long Length => RandomAccess.GetLength(handle);

        public override int ReadAt(Span<byte> destination, long offset)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[total..], offset + total);
                if (read == 0) break;
                total += read;
            }
            return total;
        }

        public override void WriteAt(ReadOnlySpan<byte> source, long offset) => RandomAccess.Write(handle, source, offset);

        public override void Sync() => RandomAccess.FlushToDisk(handle);

        public override void Dispose() => handle.Dispose();
    }
}
