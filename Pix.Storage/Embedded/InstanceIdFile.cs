using System.Security.Cryptography;

namespace Pix.Storage.Embedded;

/// <summary><c>instance.id</c>: the 13 bytes every resource id of this store carries. Kept across restarts so the
/// ids a restarted store hands out continue the same series and never collide with earlier ones.</summary>
internal static class InstanceIdFile
{
    public const int Length = 13;

    public static byte[] LoadOrCreate(string directory)
    {
        var path = Path.Combine(directory, "instance.id");
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == Length) return bytes;
            throw new InvalidDataException($"{path} holds {bytes.Length} bytes, not {Length}: it is not a Pix instance id.");
        }
        var id = RandomNumberGenerator.GetBytes(Length);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(id);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        DirectoryFlush.Flush(directory);
        return id;
    }
}
