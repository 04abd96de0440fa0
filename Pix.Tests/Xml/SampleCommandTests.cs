using System.Text;
using Pix.Bench.Commands;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

[Collection("Console")]
public class SampleCommandTests
{
    [Theory]
    [InlineData("pacs.008")]
    [InlineData("pacs.002")]
    [InlineData("pacs.004")]
    [InlineData("admi.002")]
    public void PrintsOneSignedMessageThatPassesTheChecks(string type)
    {
        var (code, text) = Run("sample", type == "admi.002" ? [type, "--to", "12345678"] : [type, "--from", "00038166", "--to", "12345678"]);
        Assert.Equal(0, code);
        var result = MessageCheck.Check(Encoding.UTF8.GetBytes(text.Trim()), CheckOptions.Default, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(Ispb.Parse("12345678"), header.To);
        Assert.Equal(Ispb.Spi, header.From);
    }

    [Fact]
    public void RefusesABadIspb() => Assert.Equal(2, Run("sample", ["pacs.008", "--from", "abc"]).Code);

    private static (int Code, string Text) Run(string command, string[] args)
    {
        var previous = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        var previousError = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            return (command == "sample" ? SampleCommand.Run(args) : -1, writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
            Console.SetError(previousError);
        }
    }
}
