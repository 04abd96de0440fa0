using System.Security.Cryptography;
using Pix.Storage.Files;

namespace Pix.Storage.Embedded;

/// <summary><c>instance.id</c>: the 13 bytes every resource id of this store carries. Kept across restarts so the
/// ids a restarted store hands out continue the same series and never collide with earlier ones.</summary>
internal static class InstanceIdFile
{
    public const int Length = 13;

    public static byte[] LoadOrCreate(IFileLayer files, string directory)
    {
        var path = Path.Combine(directory, "instance.id");
        if (files.Exists(path))
        {
            var bytes = files.ReadAll(path);
            if (bytes.Length == Length) return bytes;
            throw new InvalidDataException($"{path} holds {bytes.Length} bytes, not the {Length} of a Pix instance id: restore it from a backup or move it away deliberately.");
        }
        var id = RandomNumberGenerator.GetBytes(Length);
        files.WriteWhole(path, id);
        return id;
    }
}
