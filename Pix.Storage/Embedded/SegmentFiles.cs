using Pix.Storage.Files;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Pix.Storage.Embedded;

/// <summary>
/// The log's segment files (<c>log/00000001.seg</c>, ...): one handle per segment, kept open so a read is one
/// positional <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/> from the page cache into the
/// caller's buffer. Only the writer thread appends, rolls, truncates and deletes; reads come from any thread.
/// </summary>
internal sealed class SegmentFiles : IDisposable
{
    private readonly string _directory;
    private readonly ConcurrentDictionary<int, SafeFileHandle> _handles = new();

    public SegmentFiles(string directory)
    {
        _directory = directory;
        foreach (var path in Directory.EnumerateFiles(directory, "*.seg"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                _handles[number] = OpenHandle(path, FileMode.Open);
            }
        }
        if (_handles.IsEmpty) Create(1);
        Active = Numbers()[^1];
        ActiveLength = RandomAccess.GetLength(_handles[Active]);
    }

    public int Active { get; private set; }

    /// <summary>Where the next append goes in the active segment.</summary>
    public long ActiveLength { get; private set; }

    public string PathOf(int number) => Path.Combine(_directory, number.ToString("D8", CultureInfo.InvariantCulture) + ".seg");

    public int[] Numbers()
    {
        var numbers = _handles.Keys.ToArray();
        Array.Sort(numbers);
        return numbers;
    }

    public long LengthOf(int number) => RandomAccess.GetLength(_handles[number]);

    /// <summary>Cuts a segment (a torn tail found by recovery) and makes the cut durable.</summary>
    public void Truncate(int number, long length)
    {
        var handle = _handles[number];
        RandomAccess.SetLength(handle, length);
        RandomAccess.FlushToDisk(handle);
        if (number == Active) ActiveLength = length;
    }

    /// <summary>Begins the next segment; the directory entry is made durable before anything is written into it.</summary>
    public void Roll()
    {
        // A failed write whose cut also failed may have left bytes past the end: a closed segment must end exactly
        // at its last record, or recovery would take them for corruption in the middle of the log.
        var previous = _handles[Active];
        RandomAccess.SetLength(previous, ActiveLength);
        RandomAccess.FlushToDisk(previous);
        Create(Active + 1);
        Active++;
        ActiveLength = 0;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(_handles[Active], data, ActiveLength);
        ActiveLength += data.Length;
    }

    public void FlushActive() => RandomAccess.FlushToDisk(_handles[Active]);

    /// <summary>Undoes a failed append (nothing of a failed group may stay in the file).</summary>
    public void TruncateActive(long length)
    {
        RandomAccess.SetLength(_handles[Active], length);
        ActiveLength = length;
    }

    public void Read(long position, Span<byte> destination)
    {
        var handle = _handles[LogPosition.SegmentOf(position)];
        var offset = LogPosition.OffsetOf(position);
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0) throw new EndOfStreamException($"Segment {LogPosition.SegmentOf(position)} ends before offset {offset}.");
            destination = destination[read..];
            offset += read;
        }
    }

    public DateTime LastWriteUtc(int number) => File.GetLastWriteTimeUtc(PathOf(number));

    public void Delete(int number)
    {
        if (_handles.TryRemove(number, out var handle)) handle.Dispose();
        File.Delete(PathOf(number));
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values) handle.Dispose();
        _handles.Clear();
    }

    private void Create(int number)
    {
        var path = PathOf(number);
        _handles[number] = OpenHandle(path, FileMode.CreateNew);
        DirectoryFlush.Flush(_directory);
    }

    // FileShare.Delete: retention deletes a segment while a reader may still hold its handle.
    private static SafeFileHandle OpenHandle(string path, FileMode mode) =>
        File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
}
