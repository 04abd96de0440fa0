using Pix.Protocol.Ids;
using Pix.Protocol.Streams;

namespace Pix.Tests.Protocol;

public sealed class PullTokenCodecTests
{
    private readonly PullTokenCodec _codec = new(new byte[32]);

    [Fact]
    public void RoundTripsEveryField()
    {
        var token = new PullToken(Ispb.Parse("1234567Z"), 0xDEADBEEF12345678, 42, 7);
        var text = new byte[PullTokenCodec.TextLength];
        _codec.Write(token, text);
        Assert.True(_codec.TryRead(text, out var read));
        Assert.Equal(token, read);
        Assert.DoesNotContain((byte)'/', text);
        Assert.DoesNotContain((byte)'+', text);
    }

    [Fact]
    public void RejectsAnyFlippedCharacterAndOtherKeys()
    {
        var text = new byte[PullTokenCodec.TextLength];
        _codec.Write(new PullToken(Ispb.Parse("12345678"), 1, 1, 0), text);
        for (var i = 0; i < text.Length; i++)
        {
            var forged = (byte[])text.Clone();
            forged[i] = forged[i] == (byte)'A' ? (byte)'B' : (byte)'A';
            Assert.False(_codec.TryRead(forged, out _), $"flipped byte {i} was accepted");
        }
        var other = new PullTokenCodec(Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.False(other.TryRead(text, out _));
        Assert.False(_codec.TryRead(text.AsSpan(1), out _));
    }

    [Fact]
    public void WritingAndReadingAllocateNothing()
    {
        var text = new byte[PullTokenCodec.TextLength];
        var token = new PullToken(Ispb.Parse("12345678"), 9, 3, 0);
        _codec.Write(token, text);
        _codec.TryRead(text, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            _codec.Write(token, text);
            _codec.TryRead(text, out _);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void TheFirstKeySignsAndEveryKeyOfTheRingVerifiesSoKeysRotate()
    {
        var oldKey = Enumerable.Repeat((byte)7, 32).ToArray();
        var newKey = Enumerable.Repeat((byte)9, 32).ToArray();
        var before = new PullTokenCodec(new TokenKeyRing([(1, oldKey)]));
        var during = new PullTokenCodec(new TokenKeyRing([(2, newKey), (1, oldKey)]));
        var after = new PullTokenCodec(new TokenKeyRing([(2, newKey)]));
        var token = new PullToken(Ispb.Parse("12345678"), 5, 3, 0);
        var old = new byte[PullTokenCodec.TextLength];
        before.Write(token, old);
        var fresh = new byte[PullTokenCodec.TextLength];
        during.Write(token, fresh);

        Assert.True(during.TryRead(old, out var read));
        Assert.Equal(token, read);
        Assert.True(after.TryRead(fresh, out read));
        Assert.Equal(token, read);
        Assert.False(after.TryRead(old, out _));
        Assert.False(before.TryRead(fresh, out _));
    }

    [Fact]
    public void TokensOfTheLayoutBeforeKeyIdsStillVerifyWithKeyZero()
    {
        var legacy = new byte[48];
        _codec.WriteLegacy(new PullToken(Ispb.Parse("12345678"), 77, 12, 0), legacy);
        Assert.True(_codec.TryRead(legacy, out var read));
        Assert.Equal(new PullToken(Ispb.Parse("12345678"), 77, 12, 0), read);
        var withoutZero = new PullTokenCodec(new TokenKeyRing([(3, new byte[32])]));
        Assert.False(withoutZero.TryRead(legacy, out _));
        legacy[10] ^= 1;
        Assert.False(_codec.TryRead(legacy, out _));
    }

    [Theory]
    [InlineData("", "at least one key")]
    [InlineData("x:AAAA", "id from 0 to 255")]
    [InlineData("1:not base64!", "not base64")]
    [InlineData("1:AAAA", "at least 32")]
    [InlineData("1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "appears twice")]
    public void AKeyFileThatIsWrongSaysWhat(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => TokenKeyRing.Parse(text, "keys.txt"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("keys.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyFileSkipsCommentsAndBlankLinesAndTheFirstKeySigns()
    {
        var ring = TokenKeyRing.Parse("# rotated 2026-12-01\n\n4:" + Convert.ToBase64String(new byte[32]) + "\n2:" + Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()) + "\n", "keys.txt");
        Assert.Equal(4, ring.SigningId);
        Assert.Equal(2, ring.Count);
        Assert.NotNull(ring.Secret(2));
        Assert.Null(ring.Secret(3));
    }
}
