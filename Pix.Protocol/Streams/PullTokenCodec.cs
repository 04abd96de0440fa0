using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Pix.Protocol.Ids;

namespace Pix.Protocol.Streams;

/// <summary>
/// Turns a <see cref="PullToken"/> into the opaque, HMAC-signed text of <c>PI-Pull-Next</c> and back, so that
/// checking a token costs no storage read. Layout: 24 bytes of fields, then the first 12 bytes of an
/// HMAC-SHA256 over them; base64url without padding (48 characters).
/// </summary>
public sealed class PullTokenCodec
{
    private const int FieldBytes = 24;
    private const int MacBytes = 12;
    private const int RawBytes = FieldBytes + MacBytes;
    public const int TextLength = RawBytes / 3 * 4;

    private readonly byte[] _key;

    public PullTokenCodec(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16) throw new ArgumentException("The token key needs at least 16 bytes.", nameof(key));
        _key = key.ToArray();
    }

    public static PullTokenCodec WithRandomKey() => new(RandomNumberGenerator.GetBytes(32));

    public void Write(in PullToken token, Span<byte> destination)
    {
        Span<byte> raw = stackalloc byte[RawBytes];
        token.Ispb.WriteTo(raw);
        BinaryPrimitives.WriteUInt64BigEndian(raw[8..], token.StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(raw[16..], token.Batch);
        BinaryPrimitives.WriteUInt32BigEndian(raw[20..], token.Epoch);
        Sign(raw[..FieldBytes], raw[FieldBytes..]);
        Base64Url.EncodeToUtf8(raw, destination[..TextLength]);
    }

    /// <summary>False for any text that is not a token this codec signed.</summary>
    public bool TryRead(ReadOnlySpan<byte> text, out PullToken token)
    {
        token = default;
        if (text.Length != TextLength) return false;
        Span<byte> raw = stackalloc byte[RawBytes];
        if (Base64Url.DecodeFromUtf8(text, raw, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != TextLength || written != RawBytes) return false;
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(raw[..FieldBytes], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, raw[FieldBytes..])) return false;
        if (!Ispb.TryParse(raw[..8], out var ispb)) return false;
        token = new PullToken(
            ispb,
            BinaryPrimitives.ReadUInt64BigEndian(raw[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(raw[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(raw[20..]));
        return true;
    }

    // One keyed HMAC per thread and codec: the one-shot HMACSHA256.HashData sets up and tears down the keyed
    // context on every call, which was about half the cost of a 204 read.
    [ThreadStatic] private static HMACSHA256? _hmac;
    [ThreadStatic] private static PullTokenCodec? _hmacOwner;

    private void Sign(ReadOnlySpan<byte> fields, Span<byte> mac)
    {
        if (!ReferenceEquals(_hmacOwner, this))
        {
            _hmac?.Dispose();
            _hmac = new HMACSHA256(_key);
            _hmacOwner = this;
        }
        Span<byte> full = stackalloc byte[32];
        _hmac!.TryComputeHash(fields, full, out _);
        full[..MacBytes].CopyTo(mac);
    }
}
