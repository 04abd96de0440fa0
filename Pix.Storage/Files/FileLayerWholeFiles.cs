namespace Pix.Storage.Files;

/// <summary>Whole small files over an <see cref="IFileLayer"/> (checkpoints, the instance id).</summary>
internal static class FileLayerWholeFiles
{
    /// <summary>The whole file's bytes.</summary>
    public static byte[] ReadAll(this IFileLayer files, string path)
    {
        using var file = files.Open(path);
        var bytes = new byte[file.Length];
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
    public static void WriteWhole(this IFileLayer files, string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = path + ".tmp";
        try
        {
            // A temporary left by a crash is simply replaced.
            files.Delete(temporary);
            using (var file = files.Create(temporary))
            {
                file.Write(0, bytes);
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
