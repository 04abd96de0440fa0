using System.Security.Cryptography;

namespace Pix.Server.Hosting;

/// <summary>
/// The HMAC key of <c>PI-Pull-Next</c> tokens, kept in <c>{DataDir}/token.key</c> so tokens a PSP holds stay valid
/// across a restart (its streams survive one). Created on first start with 32 random bytes, readable by the owner only.
/// </summary>
internal static class TokenKeyFile
{
    public static byte[] LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, "token.key");
        if (File.Exists(path))
        {
            var key = File.ReadAllBytes(path);
            if (key.Length >= 32) return key;
        }
        var fresh = RandomNumberGenerator.GetBytes(32);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, fresh);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
        return fresh;
    }
}
