using Pix.Storage.Files;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace Pix.Storage.Embedded;

/// <summary>
/// Checkpoints: <c>checkpoint-SSSSSSSS-OOOOOOOOOOOOO.ckpt</c>, each a snapshot of the queue state and the log
/// position it covers: <c>"PIXCKPT" | format version (1 ASCII digit: "2" written, "1" still read) | position (8) |
/// body length (4) | body | crc32</c> (the body: EmbeddedQueueStore.CheckpointBody.cs). Written to a temporary file, fsync'd, renamed, directory fsync'd, so a checkpoint is whole or absent.
/// The newest two are kept: if the newest is damaged, recovery falls back to the one before (retention keeps the log
/// both need). One with another magic or version is not damage but another build's file: the store does not open
/// (<see cref="StoreFormatException"/>) rather than replay the log from a state it cannot read.
/// </summary>
internal sealed class CheckpointFiles(IFileLayer files, string directory)
{
    private const int Kept = 2;
    private const byte Version = (byte)'2';
    // Version 1 held every message's whole id and fixed-width fields (45 bytes a message); still read, so a data
    // directory of the build before opens, and its next checkpoint is version 2.
    private const byte OldVersion = (byte)'1';
    private static readonly byte[] Magic = [.. "PIXCKPT"u8, Version];

    /// <summary>Checkpoint positions on disk, newest first.</summary>
    public List<long> Positions()
    {
        var positions = new List<long>();
        foreach (var name in files.List(directory, ".ckpt"))
        {
            var parts = Path.GetFileNameWithoutExtension(name).Split('-');
            if (parts.Length == 3 && parts[0] == "checkpoint"
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var segment)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                positions.Add(LogPosition.Pack(segment, offset));
            }
        }
        positions.Sort((a, b) => b.CompareTo(a));
        return positions;
    }

    /// <summary>The oldest checkpoint recovery might start from: no segment at or after it may be deleted.</summary>
    public long OldestKeptPosition()
    {
        var positions = Positions();
        return positions.Count == 0 ? 0 : positions[^1];
    }

    public void Write(long position, ReadOnlySpan<byte> body)
    {
        // Head, body and checksum written where they lie: a 10 M-message body is over 400 MiB, not copied again.
        Span<byte> head = stackalloc byte[Magic.Length + 12];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], position);
        BinaryPrimitives.WriteInt32LittleEndian(head[16..], body.Length);
        var crc = new Crc32();
        crc.Append(head);
        crc.Append(body);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, crc.GetCurrentHashAsUInt32());
        files.WriteWhole(PathOf(position), head, body, tail);
        var positions = Positions();
        for (var i = Kept; i < positions.Count; i++) files.Delete(PathOf(positions[i]));
    }

    /// <summary>Reads a checkpoint and its format version (1 or 2); false (with the reason) when it is damaged.
    /// Throws <see cref="StoreFormatException"/> when it is in another format.</summary>
    public bool TryRead(long position, out ReadOnlyMemory<byte> body, out int version, out string problem)
    {
        body = default;
        version = 0;
        var path = PathOf(position);
        var file = files.ReadAll(path);
        // Zeros are what a lost write leaves (damage: fall back); any other magic or version was written by another build.
        if (file.Length >= Magic.Length && !IsOurs(file) && file.AsSpan(0, Magic.Length).ContainsAnyExcept((byte)0))
        {
            throw new StoreFormatException(directory, path, Describe(file), "PIXCKPT version 2 (or 1)");
        }
        if (file.Length < 24)
        {
            problem = "shorter than a checkpoint";
            return false;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16));
        if (length < 0 || 24 + (long)length != file.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20 + length)) != Crc32.HashToUInt32(file.AsSpan(0, 20 + length))
            || BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8)) != position)
        {
            problem = "checksum or length mismatch";
            return false;
        }
        // The body in place, not copied: at 10 M unacknowledged messages it is tens of MiB.
        body = file.AsMemory(20, length);
        version = file[Magic.Length - 1] - '0';
        problem = "";
        return true;
    }

    public void Delete(long position) => files.Delete(PathOf(position));

    private static bool IsOurs(ReadOnlySpan<byte> file) =>
        file.StartsWith(Magic.AsSpan(0, Magic.Length - 1)) && file[Magic.Length - 1] is Version or OldVersion;

    private static string Describe(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith("PIXCKPT"u8))
        {
            var version = file[Magic.Length - 1];
            return char.IsAsciiDigit((char)version)
                ? $"PIXCKPT version {(char)version}"
                : string.Create(CultureInfo.InvariantCulture, $"PIXCKPT with version byte 0x{version:X2}");
        }
        return $"no PIXCKPT header (the file starts 0x{Convert.ToHexString(file[..Math.Min(file.Length, Magic.Length)])}: not a Pix checkpoint)";
    }

    private string PathOf(long position) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture,
        $"checkpoint-{LogPosition.SegmentOf(position):D8}-{LogPosition.OffsetOf(position):D13}.ckpt"));
}
