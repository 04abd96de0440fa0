using Microsoft.Extensions.Logging;
using Pix.Storage.Files;
using System.Collections.Concurrent;
using System.Globalization;

namespace Pix.Storage.Embedded;

/// <summary>
/// The log's segment files (<c>log/00000001.seg</c>, ...): one open file per segment, so a read is one positional
/// read from the page cache into the caller's buffer. Only the writer thread appends, rolls, truncates and deletes;
/// reads come from any thread. Every operation goes through the <see cref="IFileLayer"/>. Each file starts with a
/// <see cref="SegmentHeader"/>, checked on open.
/// <para>The active segment is filled with zeros ahead of the log's end (<see cref="Preallocation"/>): an append that
/// lands in zeros already on disk changes no file size, so its fdatasync writes only the data, not the inode as well
/// (on this machine's ext4, one synchronous device write fewer per group commit). The append that grows the file
/// zeros the next stretch in the same flush. Recovery takes zeros after the last record for the log's end
/// (<see cref="EndLogAt"/>); a closed segment is cut to its last record when the next one begins.</para>
/// </summary>
internal sealed class SegmentFiles : IDisposable
{
    private readonly IFileLayer _files;
    private readonly string _directory;
    private readonly ConcurrentDictionary<int, IStoredFile> _handles = new();
    // Deleted segments whose files stay open for readers that entered before the deletion (see ReaderEpochs).
    private readonly ConcurrentDictionary<int, (IStoredFile File, long Epoch)> _deleted = new();
    private readonly ReaderEpochs _readers;
    private readonly int _preallocation;
    // The active segment's file length: zeros from ActiveLength up to it.
    private long _fileLength;

    /// <summary>Opens the segments in <paramref name="directory"/> (creating the first if there is none); throws
    /// <see cref="StoreFormatException"/> when one is not in this build's format. The active segment is zeroed
    /// <paramref name="preallocation"/> bytes ahead of the log's end (0: never).</summary>
    public SegmentFiles(IFileLayer files, string directory, ReaderEpochs readers, ILogger logger, int preallocation = 0)
    {
        _files = files;
        _readers = readers;
        _directory = directory;
        _preallocation = preallocation;
        try
        {
            foreach (var name in files.List(directory, ".seg"))
            {
                if (int.TryParse(Path.GetFileNameWithoutExtension(name), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    _handles[number] = files.Open(Path.Combine(directory, name));
                }
            }
            if (_handles.IsEmpty) Create(1);
            CheckHeaders(logger);
        }
        catch
        {
            Dispose();
            throw;
        }
        Active = Numbers()[^1];
        ActiveLength = _fileLength = _handles[Active].Length;
    }

    /// <summary>How far ahead of the log's end the active segment is zeroed: a megabyte, or a quarter of a smaller
    /// segment (tests and the simulation use small ones). A megabyte of zeros costs one group its write, once per
    /// megabyte of log.</summary>
    public static int Preallocation(long segmentBytes) => (int)Math.Min(1 << 20, segmentBytes / 4);

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

    public long LengthOf(int number) => _handles[number].Length;

    /// <summary>Cuts a segment (a torn tail found by recovery) and makes the cut durable.</summary>
    public void Truncate(int number, long length)
    {
        var handle = _handles[number];
        handle.Truncate(length);
        handle.Flush();
        if (number == Active) ActiveLength = _fileLength = length;
    }

    /// <summary>Recovery found the log's last record ending at <paramref name="offset"/> of the active segment, with
    /// only zeros after it: the next append goes there, over the zeros.</summary>
    public void EndLogAt(long offset) => ActiveLength = offset;

    /// <summary>Overwrites bytes of a closed part of the log in place and makes them durable (a repair).</summary>
    public void Overwrite(int number, long offset, ReadOnlySpan<byte> data)
    {
        var handle = _handles[number];
        handle.Write(offset, data);
        handle.Flush();
    }

    /// <summary>Begins the next segment; the directory entry is made durable before anything is written into it.
    /// Safe to call again after it failed half-way.</summary>
    public void Roll()
    {
        // A failed write whose cut also failed may have left bytes past the end: a closed segment must end exactly
        // at its last record, or recovery would take them for corruption in the middle of the log.
        var previous = _handles[Active];
        previous.Truncate(ActiveLength);
        previous.Flush();
        Create(Active + 1);
        Active++;
        ActiveLength = _fileLength = SegmentHeader.Length;
    }

    /// <summary>Writes <paramref name="data"/> at the log's end; durable after <see cref="FlushActive"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var file = _handles[Active];
        file.Write(ActiveLength, data);
        ActiveLength += data.Length;
        if (ActiveLength > _fileLength) Preallocate(file);
    }

    private static readonly byte[] Zeros = new byte[64 * 1024];

    // This append grew the file, so its flush writes the inode anyway: zero the next stretch now, in the same flush.
    // Best effort: on a nearly full disk the log's own bytes may fit where the zeros do not.
    private void Preallocate(IStoredFile file)
    {
        _fileLength = ActiveLength;
        if (_preallocation <= 0) return;
        var end = ActiveLength + _preallocation;
        try
        {
            for (var at = ActiveLength; at < end; at += Zeros.Length)
            {
                file.Write(at, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, end - at)));
            }
            _fileLength = end;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Zeros past the log's end are harmless (recovery reads them as its end); the next growing append
            // tries again.
        }
    }

    public void FlushActive() => _handles[Active].Flush();

    /// <summary>Cuts the zeros after the log's end (a clean shutdown): a closed store's segments all end at their last
    /// record, as a copy or a tool reading them expects.</summary>
    public void TrimActive()
    {
        if (_fileLength <= ActiveLength) return;
        var file = _handles[Active];
        file.Truncate(ActiveLength);
        file.Flush();
        _fileLength = ActiveLength;
    }

    /// <summary>Undoes a failed append (nothing of a failed group may stay in the file).</summary>
    public void TruncateActive(long length)
    {
        _handles[Active].Truncate(length);
        ActiveLength = _fileLength = length;
    }

    public void Read(long position, Span<byte> destination) => ReadAt(LogPosition.SegmentOf(position), LogPosition.OffsetOf(position), destination);

    public void ReadAt(int number, long offset, Span<byte> destination)
    {
        if (!_handles.TryGetValue(number, out var handle))
        {
            // Deleted after the caller found a position in it: still open while such a reader may exist.
            if (!_deleted.TryGetValue(number, out var deleted)) throw new IOException($"Segment {number} is no longer kept.");
            handle = deleted.File;
        }
        while (!destination.IsEmpty)
        {
            var read = handle.Read(offset, destination);
            if (read == 0) throw new EndOfStreamException($"Segment {number} ends before offset {offset}.");
            destination = destination[read..];
            offset += read;
        }
    }

    public DateTime LastWriteUtc(int number) => _files.LastWriteUtc(PathOf(number));

    /// <summary>Removes the segment's name; its file is closed once no reader that might still read it is left
    /// (<see cref="CloseDeleted"/>).</summary>
    public void Delete(int number)
    {
        _files.Delete(PathOf(number));
        if (!_handles.TryGetValue(number, out var handle)) return;
        // Listed as deleted before it leaves the open files, so a concurrent read always finds it in one of them.
        _deleted[number] = (handle, _readers.Epoch);
        _handles.TryRemove(number, out _);
    }

    /// <summary>Closes the files of deleted segments that no reader can still need.</summary>
    public void CloseDeleted()
    {
        if (_deleted.IsEmpty) return;
        _readers.TryAdvance();
        _readers.TryAdvance();
        foreach (var (number, (file, epoch)) in _deleted)
        {
            if (_readers.Epoch >= epoch + 2 && _deleted.TryRemove(number, out _)) file.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values) handle.Dispose();
        foreach (var (file, _) in _deleted.Values) file.Dispose();
        _handles.Clear();
        _deleted.Clear();
    }

    private void Create(int number)
    {
        // A roll whose header write or directory fsync failed left the file created: write and fsync again rather
        // than fail on its name forever (nothing else was written into it yet).
        if (!_handles.TryGetValue(number, out var handle)) _handles[number] = handle = _files.Create(PathOf(number));
        WriteHeader(handle);
        _files.FlushDirectory(_directory);
    }

    private static void WriteHeader(IStoredFile handle)
    {
        handle.Write(0, SegmentHeader.Bytes());
        handle.Flush();
    }

    /// <summary>Every segment must start with this build's header. Only the last one may hold a torn header (a crash
    /// between its creation and the header's fsync, so nothing was written after it): that one is written anew,
    /// as a torn tail is cut. Anything else is another format and refuses the directory.</summary>
    private void CheckHeaders(ILogger logger)
    {
        var numbers = Numbers();
        Span<byte> header = stackalloc byte[SegmentHeader.Length];
        foreach (var number in numbers)
        {
            var handle = _handles[number];
            var read = ReadHeader(handle, header);
            if (SegmentHeader.IsCurrent(read)) continue;
            if (number == numbers[^1] && handle.Length <= SegmentHeader.Length && SegmentHeader.IsTorn(read))
            {
                logger.LogWarning("Wrote the torn header of {Segment} anew ({Bytes} bytes of it were on disk): a crash came right after it was created",
                    PathOf(number), handle.Length);
                WriteHeader(handle);
                continue;
            }
            throw new StoreFormatException(Path.GetDirectoryName(_directory) ?? _directory, PathOf(number),
                SegmentHeader.Describe(read), SegmentHeader.Expected);
        }
    }

    private static ReadOnlySpan<byte> ReadHeader(IStoredFile handle, Span<byte> into)
    {
        var length = (int)Math.Min(handle.Length, into.Length);
        var done = 0;
        while (done < length)
        {
            var read = handle.Read(done, into[done..length]);
            if (read == 0) break;
            done += read;
        }
        return into[..done];
    }
}
