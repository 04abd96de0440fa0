using System.Text;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

public class EnvelopeReaderTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in BcbReference.ExampleFiles()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void BcbExamplesPassWithSignatureOffAndTheHeaderIsRead(string file)
    {
        var xml = BcbReference.Example(file);
        var result = MessageCheck.Check(xml, CheckOptions.Unsigned, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.True(header.HasFrom);
        Assert.True(header.HasTo);
        Assert.True(header.HasBizMsgIdr);
        var expectedType = file[..8] switch { "pacs.008" => MessageType.Pacs008, "pacs.002" => MessageType.Pacs002, _ => MessageType.Pacs004 };
        Assert.Equal(expectedType, header.Type);
        var text = Encoding.UTF8.GetString(xml);
        Assert.Contains("<BizMsgIdr>" + Encoding.ASCII.GetString(xml[header.BizMsgIdr]) + "</BizMsgIdr>", text);
        Assert.Contains("<MsgDefIdr>" + Encoding.ASCII.GetString(xml[header.MsgDefIdr]) + "</MsgDefIdr>", text);
        Assert.Equal(file[..8] + ".spi." + Encoding.ASCII.GetString(xml[header.TypeAndVersion])[9..], Encoding.ASCII.GetString(xml[header.MsgDefIdr]));
        Assert.Contains("<Id>" + header.From + "</Id>", text);
        Assert.Contains("<Id>" + header.To + "</Id>", text);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void BcbExamplesFailWithSignatureRequiredButStillGiveTheSender(string file)
    {
        var xml = BcbReference.Example(file);
        var result = MessageCheck.Check(xml, CheckOptions.Default, out var header);
        Assert.False(result.Ok);
        Assert.Equal(CheckFailure.Signature, result.Failure);
        Assert.Equal(CheckRule.SignatureMissing, result.RuleId);
        Assert.Equal("/Envelope/AppHdr/Sgntr", Encoding.ASCII.GetString(result.Location));
        Assert.True(header.HasFrom);
        Assert.NotEqual(default(Ispb), header.From);
    }
}
