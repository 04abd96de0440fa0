using System.Buffers;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

public class Admi002WriterTests
{
    [Fact]
    public void RejectForAFailedMessagePassesTheAdmi002Checks()
    {
        var message = TestMessages.Bytes(TestMessages.Pacs008.Replace("<CreDt>2020-01-01T08:30:12.000Z<", "<CreDt>x<", StringComparison.Ordinal));
        var result = MessageCheck.Check(message, CheckOptions.Unsigned, out var header);
        Assert.False(result.Ok);

        var output = new ArrayBufferWriter<byte>();
        Admi002Writer.WriteFor(output, message, header, result, header.From, "UEkBAAAAAAAAAAAAAAAAAAAAAAAAAAAA"u8,
            new DateTime(2026, 11, 25, 3, 4, 5, 678, DateTimeKind.Utc));
        var admi = output.WrittenSpan.ToArray();
        var text = Encoding.UTF8.GetString(admi);

        var check = MessageCheck.Check(admi, CheckOptions.Unsigned, out var admiHeader);
        Assert.True(check.Ok, check + "\n" + text);
        Assert.Equal(MessageType.Admi002, admiHeader.Type);
        Assert.Equal(Ispb.Spi, admiHeader.From);
        Assert.Equal(header.From, admiHeader.To);
        Assert.Matches("^M00038166[0-9A-Za-z]{23}$", Encoding.ASCII.GetString(admi[admiHeader.BizMsgIdr]));
        Assert.Equal("admi.002.spi.1.5", Encoding.ASCII.GetString(admi[admiHeader.MsgDefIdr]));
        Assert.Contains("<CreDt>2026-11-25T03:04:05.678Z</CreDt>", text);
        Assert.Contains("<Ref>" + Encoding.ASCII.GetString(message[header.BizMsgIdr]) + "</Ref>", text);
        Assert.Contains("<ErrLctn>/Envelope/AppHdr/CreDt</ErrLctn>", text);
        Assert.Contains("<RsnDesc>CreDt must be", text);
        Assert.Contains("<RjctnDtTm>2026-11-25T03:04:05.678Z</RjctnDtTm>", text);
        Assert.Contains("<Sgntr/>", text);
    }

    [Fact]
    public void TextIsEscapedAndCutToItsLength()
    {
        var output = new ArrayBufferWriter<byte>();
        var description = Encoding.UTF8.GetBytes("<a & b>\r\n" + new string('é', 400));
        Admi002Writer.Write(output, new Admi002Reject
        {
            To = Ispb.Parse("12345678"),
            RelatedReference = "M12345678<&>"u8,
            Reason = Encoding.UTF8.GetBytes(new string('r', 50)),
            Description = description,
            RejectedAt = DateTime.UtcNow,
        });
        var admi = output.WrittenSpan.ToArray();
        var check = MessageCheck.Check(admi, CheckOptions.Unsigned, out _);
        Assert.True(check.Ok, check.ToString());
        var doc = System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(admi));
        var ns = doc.Root!.Name.Namespace;
        var rsn = doc.Root.Descendants(ns + "Rsn").Single();
        Assert.Equal(350, rsn.Element(ns + "RsnDesc")!.Value.Length);
        Assert.StartsWith("<a & b>  é", rsn.Element(ns + "RsnDesc")!.Value);
        Assert.Equal(35, rsn.Element(ns + "RjctgPtyRsn")!.Value.Length);
        Assert.Equal("M12345678<&>", doc.Root.Descendants(ns + "Ref").Single().Value);
    }

    [Fact]
    public void EveryRejectHasAFreshBizMsgIdr()
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        Admi002Writer.WriteFreshBizMsgIdr(a);
        Admi002Writer.WriteFreshBizMsgIdr(b);
        Assert.False(a.SequenceEqual(b));
    }
}
