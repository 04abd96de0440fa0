using System.Buffers;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

/// <summary>Warm up, then bracket the call with the thread's allocation counter: the hot paths allocate nothing.</summary>
public class AllocationTests
{
    [Fact]
    public void MessageCheckAllocatesNothing()
    {
        var message = TestMessages.SignedPacs008();
        var troco = BcbReference.Example("pacs.008_COMP_TROCO_1_msg.xml");
        for (var i = 0; i < 3; i++)
        {
            MessageCheck.Check(message, CheckOptions.Default, out _);
            MessageCheck.Check(troco, CheckOptions.Default, out _);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = MessageCheck.Check(message, CheckOptions.Default, out var header);
        var failed = MessageCheck.Check(troco, CheckOptions.Default, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.Ok, result.ToString());
        Assert.False(failed.Ok);
        Assert.True(header.HasFrom);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void MessageCheckAllocatesNothingOnARealSignatureAndManyTransactions()
    {
        var message = System.Text.Encoding.UTF8.GetBytes(Pix.Bench.Samples.SampleMessages.Pacs008(Ispb.Parse("12345678"), Ispb.Spi, transactions: 10));
        for (var i = 0; i < 3; i++) MessageCheck.Check(message, CheckOptions.Default, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = MessageCheck.Check(message, CheckOptions.Default, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Admi002WriterAllocatesNothingIntoAReusedBuffer()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var to = Ispb.Parse("99999010");
        var message = BcbReference.Example("pacs.008_CONTA_1_msg.xml");
        var result = MessageCheck.Check(message, CheckOptions.Default, out var header);
        var now = DateTime.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            output.ResetWrittenCount();
            Admi002Writer.WriteFor(output, message, header, result, to, default, now);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        output.ResetWrittenCount();
        Admi002Writer.WriteFor(output, message, header, result, to, default, now);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(output.WrittenCount > 500);
        Assert.Equal(0, allocated);
    }
}
