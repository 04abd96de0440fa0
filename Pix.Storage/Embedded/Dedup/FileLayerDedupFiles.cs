using Pix.Storage.Files;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>The dedup index's directory on the store's <see cref="IFileLayer"/>, so the storage simulation's disk
/// loses the index's unsynced writes at a power cut like the log's.</summary>
internal sealed class FileLayerDedupFiles : DedupFiles
{
    private readonly IFileLayer _files;
    private readonly string _directory;

    public FileLayerDedupFiles(IFileLayer files, string directory)
    {
        _files = files;
        _directory = directory;
    }

    public override IReadOnlyList<string> List() => _files.List(_directory, "");

    public override bool Exists(string name) => _files.Exists(PathOf(name));

    public override DedupFile Create(string name)
    {
        var path = PathOf(name);
        if (!_files.Exists(path)) return new LayerFile(name, _files.Create(path));
        var file = _files.Open(path);
        file.Truncate(0);
        return new LayerFile(name, file);
    }

    public override DedupFile OpenRead(string name) => new LayerFile(name, _files.Open(PathOf(name)));

    public override void Rename(string from, string to) => _files.Rename(PathOf(from), PathOf(to));

    public override void Delete(string name) => _files.Delete(PathOf(name));

    public override void SyncDirectory() => _files.FlushDirectory(_directory);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private sealed class LayerFile(string name, IStoredFile file) : DedupFile
    {
        public override string Name => name;

        public override long Length => file.Length;

        public override int ReadAt(Span<byte> destination, long offset)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = file.Read(offset + total, destination[total..]);
                if (read == 0) break;
                total += read;
            }
            return total;
        }

        public override void WriteAt(ReadOnlySpan<byte> source, long offset) => file.Write(offset, source);

        public override void Sync() => file.Flush();

        public override void Dispose() => file.Dispose();
    }
}
