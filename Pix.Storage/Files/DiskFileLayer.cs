using Microsoft.Win32.SafeHandles;
using Pix.Storage.Embedded;

namespace Pix.Storage.Files;

/// <summary>The real disk: <see cref="RandomAccess"/> on <see cref="SafeFileHandle"/>s, files made durable through
/// <see cref="DataSync"/> (fdatasync), directories through <see cref="DirectoryFlush"/>.</summary>
internal sealed class DiskFileLayer : IFileLayer
{
    public static DiskFileLayer Instance { get; } = new();

    // FileShare.Delete: retention deletes a segment while a reader may still hold its handle.
    public IStoredFile Create(string path) =>
        new DiskFile(File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

    public IStoredFile Open(string path) =>
        new DiskFile(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

    public bool Exists(string path) => File.Exists(path);

    public IReadOnlyList<string> List(string directory, string suffix)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(suffix, StringComparison.Ordinal)) names.Add(name);
        }
        return names;
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void FlushDirectory(string directory) => DirectoryFlush.Flush(directory);

    public void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    public DateTime LastWriteUtc(string path) => File.GetLastWriteTimeUtc(path);

    public void Delete(string path) => File.Delete(path);

    public IDisposable LockDirectory(string directory) => DataDirectoryLock.Acquire(directory);

    private sealed class DiskFile(SafeFileHandle handle) : IStoredFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

        public int Read(long offset, Span<byte> into) => RandomAccess.Read(handle, into, offset);

        public void Truncate(long length) => RandomAccess.SetLength(handle, length);

        public void Flush() => DataSync.Flush(handle);

        public void Dispose() => handle.Dispose();
    }
}
