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
}
