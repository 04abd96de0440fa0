namespace Pix.Storage.Files;

/// <summary>
/// A small file that must survive a power cut whole or not at all (an instance id, a key): written to a temporary
/// name, fsync'd, renamed over the target, and the directory fsync'd so the new name is durable too. Read back, a file
/// of the wrong length is an error to report, never a reason to make a new one (that would silently change identity).
/// </summary>
public static class SmallFile
{
    public static void WriteDurably(string path, ReadOnlySpan<byte> bytes, bool ownerOnly = false)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        if (ownerOnly && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
        DirectoryFlush.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The file's bytes, or null when it does not exist; throws when it exists with another length.</summary>
    public static byte[]? ReadExactly(string path, int length, string what)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == length) return bytes;
        throw new InvalidDataException($"{path} holds {bytes.Length} bytes, not the {length} of {what}: restore it from a backup or move it away deliberately.");
    }
}
