using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Pix.Protocol.Ids;

namespace Pix.Protocol.Streams;

/// <summary>
/// Turns a <see cref="PullToken"/> into the opaque, HMAC-signed text of <c>PI-Pull-Next</c> and back, so that
/// checking a token costs no storage read, on any node holding the deployment's <see cref="TokenKeyRing"/>.
/// Layout: the signing key's id, 24 bytes of fields, then the first 14 bytes of an HMAC-SHA256 over both;
/// base64url without padding (52 characters). Tokens of the earlier layout (no key id, 12-byte MAC, 48 characters)
/// are still read, with key 0, so tokens issued before an upgrade keep working.
/// </summary>
public sealed class PullTokenCodec
{
    private const int FieldBytes = 24;
    private const int MacBytes = 14;
    private const int RawBytes = 1 + FieldBytes + MacBytes;
    public const int TextLength = RawBytes / 3 * 4;

    private const int LegacyMacBytes = 12;
    private const int LegacyRawBytes = FieldBytes + LegacyMacBytes;
    private const int LegacyTextLength = LegacyRawBytes / 3 * 4;

    private readonly TokenKeyRing _keys;

    public PullTokenCodec(TokenKeyRing keys) => _keys = keys;

    public PullTokenCodec(ReadOnlySpan<byte> key) : this(TokenKeyRing.Single(key.ToArray()))
    {
    }

    public static PullTokenCodec WithRandomKey() => new(RandomNumberGenerator.GetBytes(32));

    public void Write(in PullToken token, Span<byte> destination)
    {
        Span<byte> raw = stackalloc byte[RawBytes];
        raw[0] = _keys.SigningId;
        WriteFields(token, raw.Slice(1, FieldBytes));
        Sign(_keys.SigningId, raw[..(1 + FieldBytes)], raw[(1 + FieldBytes)..]);
        Base64Url.EncodeToUtf8(raw, destination[..TextLength]);
    }

    /// <summary>False for any text that is not a token signed with a key of the ring.</summary>
    public bool TryRead(ReadOnlySpan<byte> text, out PullToken token)
    {
        token = default;
        Span<byte> raw = stackalloc byte[RawBytes];
        int start;
        if (text.Length == TextLength)
        {
            if (!Decode(text, raw, RawBytes)) return false;
            var id = raw[0];
            if (_keys.Secret(id) is null) return false;
            Span<byte> mac = stackalloc byte[MacBytes];
            Sign(id, raw[..(1 + FieldBytes)], mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, raw.Slice(1 + FieldBytes, MacBytes))) return false;
            start = 1;
        }
        else if (text.Length == LegacyTextLength && _keys.Secret(0) is not null)
        {
            if (!Decode(text, raw, LegacyRawBytes)) return false;
            Span<byte> mac = stackalloc byte[LegacyMacBytes];
            Sign(0, raw[..FieldBytes], mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, raw.Slice(FieldBytes, LegacyMacBytes))) return false;
            start = 0;
        }
        else
        {
            return false;
        }
        var fields = raw.Slice(start, FieldBytes);
        if (!Ispb.TryParse(fields[..8], out var ispb)) return false;
        token = new PullToken(
            ispb,
            BinaryPrimitives.ReadUInt64BigEndian(fields[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(fields[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(fields[20..]));
        return true;
    }

    /// <summary>The earlier layout, for tests that prove old tokens keep working.</summary>
    public void WriteLegacy(in PullToken token, Span<byte> destination)
    {
        Span<byte> raw = stackalloc byte[LegacyRawBytes];
        WriteFields(token, raw[..FieldBytes]);
        Sign(0, raw[..FieldBytes], raw[FieldBytes..]);
        Base64Url.EncodeToUtf8(raw, destination[..LegacyTextLength]);
    }

    private static void WriteFields(in PullToken token, Span<byte> fields)
    {
        token.Ispb.WriteTo(fields);
        BinaryPrimitives.WriteUInt64BigEndian(fields[8..], token.StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(fields[16..], token.Batch);
        BinaryPrimitives.WriteUInt32BigEndian(fields[20..], token.Epoch);
    }

    private static bool Decode(ReadOnlySpan<byte> text, Span<byte> raw, int expected) =>
        Base64Url.DecodeFromUtf8(text, raw, out var consumed, out var written) == System.Buffers.OperationStatus.Done
        && consumed == text.Length && written == expected;

    // One keyed HMAC per thread, codec and key: the one-shot HMACSHA256.HashData sets up and tears down the keyed
    // context on every call, which was about half the cost of a 204 read.
    [ThreadStatic] private static HMACSHA256?[]? _hmacs;
    [ThreadStatic] private static PullTokenCodec? _hmacOwner;

    private void Sign(byte keyId, ReadOnlySpan<byte> fields, Span<byte> mac)
    {
        if (!ReferenceEquals(_hmacOwner, this))
        {
            if (_hmacs is not null)
            {
                foreach (var old in _hmacs) old?.Dispose();
            }
            _hmacs = new HMACSHA256?[256];
            _hmacOwner = this;
        }
        var hmac = _hmacs![keyId] ??= new HMACSHA256(_keys.Secret(keyId)!);
        Span<byte> full = stackalloc byte[32];
        hmac.TryComputeHash(fields, full, out _);
        full[..mac.Length].CopyTo(mac);
    }
}
