using System.Security.Cryptography;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Where canonical bytes go: a chunk on the caller's stack, fed to a reused SHA-256 when full, so no canonical form is
/// ever held whole. Output beyond <c>limit</c> bytes stops the pass: exclusive C14N re-declares a namespace on every
/// element that uses it, so a crafted message could otherwise make a few kilobytes hash as gigabytes.
/// </summary>
internal ref struct DigestSink
{
    public const int DigestLength = 32;

    private readonly IncrementalHash _hash;
    private readonly Span<byte> _chunk;
    private readonly long _limit;
    private int _used;
    private long _flushed;

    public DigestSink(IncrementalHash hash, Span<byte> chunk, long limit)
    {
        _hash = hash;
        _chunk = chunk;
        _limit = limit;
    }

    /// <summary>More bytes were written than the limit allows; the digest is meaningless.</summary>
    public readonly bool Overflowed => _flushed + _used > _limit;

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _chunk.Length - _used)
        {
            bytes.CopyTo(_chunk[_used..]);
            _used += bytes.Length;
            return;
        }
        Flush();
        if (bytes.Length >= _chunk.Length)
        {
            Append(bytes);
            return;
        }
        bytes.CopyTo(_chunk);
        _used = bytes.Length;
    }

    public void Write(byte b)
    {
        if (_used == _chunk.Length) Flush();
        _chunk[_used++] = b;
    }

    /// <summary>Writes the SHA-256 of everything written into <paramref name="digest"/> and resets the hash for the
    /// next pass. Always call it, also after a failed pass: the hash is shared by the passes of one thread.</summary>
    public void Finish(Span<byte> digest)
    {
        Flush();
        _hash.GetHashAndReset(digest);
    }

    private void Flush()
    {
        if (_used == 0) return;
        Append(_chunk[.._used]);
        _used = 0;
    }

    private void Append(scoped ReadOnlySpan<byte> bytes)
    {
        _flushed += bytes.Length;
        if (_flushed <= _limit) _hash.AppendData(bytes);
    }
}
