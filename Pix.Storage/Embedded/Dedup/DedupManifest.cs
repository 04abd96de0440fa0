using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// Which runs make up the index and the log position it is durable up to. Replaced whole: written to
/// <c>manifest.tmp</c>, fsync'd, renamed over <c>manifest</c>, directory fsync'd, so a power cut leaves either the
/// old or the new one, and every run either names was fsync'd (with its directory entry) before it.
/// </summary>
internal sealed record DedupManifest(long Watermark, ulong InstanceHigh, ulong InstanceMiddle, long NextRunId, IReadOnlyList<DedupManifest.RunRef> Runs)
{
    public const string FileName = "manifest";
    public const string TemporaryName = "manifest.tmp";

    /// <summary>No log position yet: replay the whole log.</summary>
    public const long NoWatermark = -1;

    private const int FormatVersion = 1;
    private const int HeaderBytes = 48;
    private const int RunBytes = 12;

    private static ReadOnlySpan<byte> Magic => "PIXDDMAN"u8;

    /// <summary>A run by id and level, newest first.</summary>
    public readonly record struct RunRef(long Id, int Level);

    public static DedupManifest? Read(DedupFiles files)
    {
        if (!files.Exists(FileName)) return null;
        using var file = files.OpenRead(FileName);
        var bytes = new byte[file.Length];
        var read = file.ReadAt(bytes, 0);
        if (read < HeaderBytes + 4 || !bytes.AsSpan().StartsWith(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) != FormatVersion)
        {
            throw Damaged();
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(44));
        var length = HeaderBytes + count * RunBytes;
        if (count < 0 || read != length + 4
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length)) != Crc32.HashToUInt32(bytes.AsSpan(0, length)))
        {
            throw Damaged();
        }
        var runs = new RunRef[count];
        for (var i = 0; i < count; i++)
        {
            var at = bytes.AsSpan(HeaderBytes + i * RunBytes);
            runs[i] = new RunRef(BinaryPrimitives.ReadInt64LittleEndian(at), BinaryPrimitives.ReadInt32LittleEndian(at[8..]));
        }
        return new DedupManifest(
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(20)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(28)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(36)),
            runs);
    }

    public void Write(DedupFiles files)
    {
        var length = HeaderBytes + Runs.Count * RunBytes;
        var bytes = new byte[length + 4];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), Watermark);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(20), InstanceHigh);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(28), InstanceMiddle);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(36), NextRunId);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(44), Runs.Count);
        for (var i = 0; i < Runs.Count; i++)
        {
            var at = bytes.AsSpan(HeaderBytes + i * RunBytes);
            BinaryPrimitives.WriteInt64LittleEndian(at, Runs[i].Id);
            BinaryPrimitives.WriteInt32LittleEndian(at[8..], Runs[i].Level);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(length), Crc32.HashToUInt32(bytes.AsSpan(0, length)));
        using (var file = files.Create(TemporaryName))
        {
            file.WriteAt(bytes, 0);
            file.Sync();
        }
        files.Rename(TemporaryName, FileName);
        files.SyncDirectory();
    }

    private static InvalidDataException Damaged() =>
        new($"The dedup index's {FileName} is damaged (it is only ever replaced whole by a rename, so this is not a torn write). " +
            "Delete the dedup directory to rebuild it from the log.");
}
