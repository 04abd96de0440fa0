namespace Pix.Server.Hosting;

/// <summary>
/// The modification time and size of a few files, compared on each <see cref="Changed"/>: how the TLS material, the
/// participant registry and the operator token notice a new version. Polling rather than a file watcher, because
/// the usual ways of replacing secrets (a rename over the file, Kubernetes' symlink swap) escape inotify watches.
/// </summary>
internal sealed class WatchedFiles
{
    private readonly string[] _paths;
    private (DateTime Modified, long Length)[] _stamps;

    public WatchedFiles(params IEnumerable<string> paths)
    {
        _paths = paths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Path.GetFullPath).Distinct().ToArray();
        _stamps = Read();
    }

    /// <summary>True (once) when any file's time or size differs from the last look.</summary>
    public bool Changed()
    {
        var now = Read();
        if (now.AsSpan().SequenceEqual(_stamps)) return false;
        _stamps = now;
        return true;
    }

    private (DateTime, long)[] Read() => _paths.Select(path =>
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
    }).ToArray();
}
