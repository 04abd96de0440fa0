using System.Buffers;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Protocol.Multipart;

namespace Pix.Tests.Protocol;

public sealed class MultipartTests
{
    private static MultipartStatus Read(string body, string boundary, out List<string> parts, int max = 10)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var found = new MultipartPart[max];
        var status = MultipartReader.Read(bytes, Encoding.ASCII.GetBytes(boundary), found, out var count);
        parts = found.Take(count).Select(p => Encoding.UTF8.GetString(bytes[p.Content])).ToList();
        return status;
    }

    [Fact]
    public void ReadsPartsIgnoringPreambleAndEpilogue()
    {
        var body = "preamble\r\n--b\r\nContent-Type: application/xml; charset=utf-8\r\n\r\n<a/>\r\n--b\r\ncontent-type: application/xml\r\nX-Other: 1\r\n\r\n<b>\r\n</b>\r\n--b--\r\nepilogue";
        Assert.Equal(MultipartStatus.Ok, Read(body, "b", out var parts));
        Assert.Equal(["<a/>", "<b>\r\n</b>"], parts);
    }

    [Theory]
    [InlineData("--b\r\nContent-Type: application/xml\r\n\r\n<a/>", MultipartStatus.Malformed)]
    [InlineData("--b--\r\n", MultipartStatus.Empty)]
    [InlineData("--b\r\n\r\n<a/>\r\n--b--", MultipartStatus.PartNotXml)]
    [InlineData("--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b--", MultipartStatus.PartNotXml)]
    [InlineData("--b\r\nContent-Type: application/xml; charset=latin1\r\n\r\n<a/>\r\n--b--", MultipartStatus.PartCharset)]
    [InlineData("no delimiter at all", MultipartStatus.Malformed)]
    public void NamesWhatIsWrong(string body, MultipartStatus expected) => Assert.Equal(expected, Read(body, "b", out _));

    [Fact]
    public void StopsAtTheMaximumPartCount()
    {
        var body = string.Concat(Enumerable.Repeat("--b\r\nContent-Type: application/xml\r\n\r\n<a/>\r\n", 3)) + "--b--";
        Assert.Equal(MultipartStatus.TooManyParts, Read(body, "b", out _, max: 2));
        Assert.Equal(MultipartStatus.Ok, Read(body, "b", out var parts, max: 3));
        Assert.Equal(3, parts.Count);
    }

    [Fact]
    public void WriterMeasuresExactlyWhatItWritesAndTheReaderReadsItBack()
    {
        var writer = MultipartWriter.WithRandomBoundary();
        var payloads = new[] { "<x>1</x>", "<y>22</y>", "<z/>" }.Select(Encoding.UTF8.GetBytes).ToArray();
        var output = new ArrayBufferWriter<byte>();
        for (var i = 0; i < payloads.Length; i++)
        {
            writer.WritePartHead(output, i, ResourceId.Create(new byte[13], (ulong)i + 1));
            output.Write(payloads[i]);
        }
        writer.WriteEnd(output);
        Assert.Equal(writer.Measure(payloads.Select(p => p.Length).ToArray()), output.WrittenCount);

        var contentType = Encoding.ASCII.GetString(writer.ContentType);
        var boundary = contentType[(contentType.IndexOf('=') + 1)..];
        var found = new MultipartPart[10];
        Assert.Equal(MultipartStatus.Ok, MultipartReader.Read(output.WrittenSpan, Encoding.ASCII.GetBytes(boundary), found, out var count));
        Assert.Equal(3, count);
        Assert.Equal("<y>22</y>", Encoding.UTF8.GetString(output.WrittenSpan[found[1].Content]));
    }
}
