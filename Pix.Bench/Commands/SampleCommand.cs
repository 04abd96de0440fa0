using System.Buffers;
using System.Text;
using Pix.Bench.Samples;
using Pix.Server.Signing;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Bench.Commands;

/// <summary><c>sample {pacs.008|pacs.002|pacs.004|admi.002} [--from ISPB] [--to ISPB] [--unsigned]</c>: prints one signed
/// sample message on stdout.</summary>
internal static class SampleCommand
{
    public const string Usage = "sample {pacs.008|pacs.002|pacs.004|admi.002} [--from ISPB] [--to ISPB] [--unsigned]";

    public static int Run(string[] args)
    {
        if (args.Length == 0) return Fail("missing message type");
        var from = Ispb.Parse("99999010");
        var to = Ispb.Spi;
        var signed = true;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--from" when i + 1 < args.Length && Ispb.TryParse(Encoding.ASCII.GetBytes(args[i + 1]), out from):
                case "--to" when i + 1 < args.Length && Ispb.TryParse(Encoding.ASCII.GetBytes(args[i + 1]), out to):
                    i++;
                    break;
                case "--unsigned":
                    signed = false;
                    break;
                default:
                    return Fail($"bad argument '{args[i]}' (an ISPB is 8 characters of [0-9A-Z])");
            }
        }
        var message = args[0] switch
        {
            "pacs.008" => SampleMessages.Pacs008(from, to, signed: signed),
            "pacs.002" => SampleMessages.Pacs002(from, to, signed: signed),
            "pacs.004" => SampleMessages.Pacs004(from, to, signed: signed),
            "admi.002" => Admi002(to, signed),
            _ => null,
        };
        if (message is null) return Fail($"unknown message type '{args[0]}'");
        Console.Out.WriteLine(message);
        return 0;
    }

    // An admi.002 always comes from the SPI; --to names the participant it goes back to.
    private static string Admi002(Ispb to, bool signed)
    {
        var output = new ArrayBufferWriter<byte>();
        Admi002Writer.Write(output, new Admi002Reject
        {
            To = to == Ispb.Spi ? Ispb.Parse("99999010") : to,
            RelatedReference = Encoding.ASCII.GetBytes(SampleIds.MsgId(to)),
            Reason = "schema"u8,
            ErrorLocation = "/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/PmtId/EndToEndId"u8,
            Description = CheckRuleText.Of(CheckRule.EndToEndIdPattern),
            RejectedAt = DateTime.UtcNow,
        }, signed ? SpiMessageSigner.Development : null);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine($"pix-bench {Usage}\n{why}");
        return 2;
    }
}
