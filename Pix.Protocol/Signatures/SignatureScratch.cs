using System.Security.Cryptography;

namespace Pix.Protocol.Signatures;

/// <summary>The two SHA-256 each thread reuses for its verifications (native hash contexts: made once per thread).
/// Two, because the last pass digests the whole message and its Document at once.</summary>
internal static class SignatureScratch
{
    [ThreadStatic]
    private static IncrementalHash? t_first;

    [ThreadStatic]
    private static IncrementalHash? t_second;

    public static IncrementalHash First => t_first ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public static IncrementalHash Second => t_second ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>After an unexpected exception a hash may hold part of a pass: drop both so the next ones start clean.</summary>
    public static void Discard()
    {
        t_first?.Dispose();
        t_second?.Dispose();
        t_first = t_second = null;
    }
}
