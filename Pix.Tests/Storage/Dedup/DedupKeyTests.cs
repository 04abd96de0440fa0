using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

public sealed class DedupKeyTests
{
    [Fact]
    public void ValidBizMsgIdrsDecodeExactlyAndRoundTrip()
    {
        var random = new Random(7);
        Span<byte> text = stackalloc byte[DedupKey.BizMsgIdrLength];
        for (var i = 0; i < 10_000; i++)
        {
            var id = DedupTestKeys.BizMsgIdr(random);
            var key = DedupKey.Of(DedupTestKeys.Sender, Encoding.ASCII.GetBytes(id));
            Assert.True(key.IsDecoded, id);
            Assert.Equal(DedupTestKeys.Sender, key.From);
            Assert.True(key.TryWriteBizMsgIdr(text));
            Assert.Equal(id, Encoding.ASCII.GetString(text));
        }
    }

    [Theory]
    [InlineData("M00000000AAAAAAAAAAAAAAAAAAAAAAA", "M00000000AAAAAAAAAAAAAAAAAAAAAAa")]
    [InlineData("MZZZZZZZZzzzzzzzzzzzzzzzzzzzzzzz", "MZZZZZZZYzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("M12345678abcdefghijABCDEFGHIJ012", "M12345678abcdefghijABCDEFGHIJ013")]
    [InlineData("M12345678abcdefghijABCDEFGHIJ012", "M12345678bbcdefghijABCDEFGHIJ012")]
    [InlineData("M12345678abcdefghijABCDEFGHIJ012", "M12345678abcdefghijBBCDEFGHIJ012")]
    public void IdsDifferingInOneCharacterHaveDifferentKeys(string x, string y)
    {
        var a = DedupKey.Of(DedupTestKeys.Sender, Encoding.ASCII.GetBytes(x));
        var b = DedupKey.Of(DedupTestKeys.Sender, Encoding.ASCII.GetBytes(y));
        Assert.True(a.IsDecoded && b.IsDecoded);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a.Hash(), b.Hash());
    }

    [Fact]
    public void TheSameIdFromAnotherSenderIsAnotherKey()
    {
        var id = "M12345678abcdefghijABCDEFGHIJ012"u8;
        Assert.NotEqual(DedupKey.Of(Ispb.Parse("12345678"), id), DedupKey.Of(Ispb.Parse("12345679"), id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("M12345678abcdefghijABCDEFGHIJ01")]   // 31 characters
    [InlineData("M12345678abcdefghijABCDEFGHIJ0123")] // 33
    [InlineData("X12345678abcdefghijABCDEFGHIJ012")]  // not M
    [InlineData("M1234567aabcdefghijABCDEFGHIJ012")]  // lower case in the ISPB part
    [InlineData("M12345678abcdefghij-BCDEFGHIJ012")]  // not alphanumeric
    [InlineData("M12345678abcdefghijABCDEFGHIJ01\u00e9")]
    public void AnythingElseIsHashedIntoItsOwnKeySpace(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var key = DedupKey.Of(DedupTestKeys.Sender, bytes);
        Assert.False(key.IsDecoded);
        Assert.False(key.TryWriteBizMsgIdr(new byte[32]));
        Assert.Equal(key, DedupKey.Of(DedupTestKeys.Sender, bytes));
        Assert.NotEqual(key, DedupKey.Of(DedupTestKeys.Sender, Encoding.UTF8.GetBytes(text + "x")));
        Assert.NotEqual(0UL, key.B);
    }

    [Fact]
    public void KeysSurviveTheirByteForm()
    {
        var key = DedupTestKeys.Key(3);
        Span<byte> bytes = stackalloc byte[DedupKey.ByteLength];
        key.WriteTo(bytes);
        Assert.Equal(key, DedupKey.ReadFrom(bytes));
    }
}
