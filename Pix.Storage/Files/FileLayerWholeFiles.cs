namespace Pix.Storage.Files;

/// <summary>Whole small files over an <see cref="IFileLayer"/> (checkpoints, the instance id).</summary>
internal static class FileLayerWholeFiles
{
    /// <summary>The whole file's bytes.</summary>
    public static byte[] ReadAll(this IFileLayer files, string path)
    {
        using var file = files.Open(path);
        // Not zeroed first: every byte is overwritten by the read (a 10 M-message checkpoint is over 400 MiB).
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)file.Length));
        var done = 0;
        while (done < bytes.Length)
        {
            var read = file.Read(done, bytes.AsSpan(done));
            if (read == 0) break;
            done += read;
        }
        return done == bytes.Length ? bytes : bytes[..done];
    }

    /// <summary>Replaces <paramref name="path"/> so that a power cut leaves the old file or the new one, never half:
    /// written to a temporary name, fsync'd, renamed over the target, and the directory fsync'd (the new name is durable).</summary>
    public static void WriteWhole(this IFileLayer files, string path, ReadOnlySpan<byte> bytes) => files.WriteWhole(path, bytes, default, default);

    /// <summary>The same, for a file given in three parts (a header, a body, a trailer), so a large body is written
    /// where it lies instead of being copied into one array first.</summary>
    public static void WriteWhole(this IFileLayer files, string path, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, ReadOnlySpan<byte> tail)
    {
        var temporary = path + ".tmp";
        try
        {
            // A temporary left by a crash is simply replaced.
            files.Delete(temporary);
            using (var file = files.Create(temporary))
            {
                file.Write(0, head);
                if (!body.IsEmpty) file.Write(head.Length, body);
                if (!tail.IsEmpty) file.Write(head.Length + body.Length, tail);
                file.Flush();
            }
            files.Rename(temporary, path);
            files.FlushDirectory(Path.GetDirectoryName(path)!);
        }
        catch
        {
            files.Delete(temporary);
            throw;
        }
    }
}
