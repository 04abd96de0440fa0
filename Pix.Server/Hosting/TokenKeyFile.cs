using System.Security.Cryptography;
using Pix.Storage.Files;

namespace Pix.Server.Hosting;

/// <summary>
/// The HMAC key of <c>PI-Pull-Next</c> tokens on a single node, kept in <c>{DataDir}/token.key</c> so tokens a PSP
/// holds stay valid across a restart (its streams survive one). Created on first start with 32 random bytes, fsync'd,
/// readable by the owner only; a damaged file stops the start instead of silently invalidating every token.
/// </summary>
internal static class TokenKeyFile
{
    public static byte[] LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, "token.key");
        if (SmallFile.ReadExactly(path, 32, "a token key") is { } existing) return existing;
        var fresh = RandomNumberGenerator.GetBytes(32);
        SmallFile.WriteDurably(path, fresh, ownerOnly: true);
        return fresh;
    }
}
