using System.Security.Cryptography;

namespace Pix.Protocol.Signatures;

/// <summary>The SHA-256 each thread reuses for its verifications (a native hash context: made once per thread).</summary>
internal static class SignatureScratch
{
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    public static IncrementalHash Sha256 => t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>After an unexpected exception the hash may hold part of a pass: drop it so the next one starts clean.</summary>
    public static void Discard()
    {
        t_sha256?.Dispose();
        t_sha256 = null;
    }
}
