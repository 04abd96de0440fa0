using System.Security.Cryptography;
using Pix.Storage.Files;

namespace Pix.Storage.Embedded;

/// <summary><c>instance.id</c>: the 13 bytes every resource id of this store carries. Kept across restarts so the
/// ids a restarted store hands out continue the same series and never collide with earlier ones.</summary>
internal static class InstanceIdFile
{
    public const int Length = 13;

    public static byte[] LoadOrCreate(string directory)
    {
        var path = Path.Combine(directory, "instance.id");
        if (SmallFile.ReadExactly(path, Length, "a Pix instance id") is { } existing) return existing;
        var id = RandomNumberGenerator.GetBytes(Length);
        SmallFile.WriteDurably(path, id);
        return id;
    }
}
