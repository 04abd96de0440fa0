using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Bench.Samples;
using Pix.Server.Signing;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Bench.Commands;

/// <summary><c>sample {pacs.008|pacs.002|pacs.004|admi.002} [--from ISPB] [--to ISPB] [--unsigned] [--cert PEM [--key PEM]]</c>:
/// prints one sample message on stdout, signed by the development certificate or by the certificate given (its
/// private key from <c>--key</c>, else from the same PEM file), so it verifies under that participant's key.</summary>
internal static class SampleCommand
{
    public const string Usage = "sample {pacs.008|pacs.002|pacs.004|admi.002} [--from ISPB] [--to ISPB] [--unsigned] [--cert PEM [--key PEM]]";

    public static int Run(string[] args)
    {
        if (args.Length == 0) return Fail("missing message type");
        var from = Ispb.Parse("99999010");
        var to = Ispb.Spi;
        var signed = true;
        string? certificatePath = null;
        string? keyPath = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--from" when i + 1 < args.Length && Ispb.TryParse(Encoding.ASCII.GetBytes(args[i + 1]), out from):
                case "--to" when i + 1 < args.Length && Ispb.TryParse(Encoding.ASCII.GetBytes(args[i + 1]), out to):
                    i++;
                    break;
                case "--cert" when i + 1 < args.Length:
                    certificatePath = args[++i];
                    break;
                case "--key" when i + 1 < args.Length:
                    keyPath = args[++i];
                    break;
                case "--unsigned":
                    signed = false;
                    break;
                default:
                    return Fail($"bad argument '{args[i]}' (an ISPB is 8 characters of [0-9A-Z])");
            }
        }
        if (keyPath is not null && certificatePath is null) return Fail("--key needs --cert");
        var signature = SpiSignature.Development;
        if (certificatePath is not null && !TryLoad(certificatePath, keyPath, out signature, out var why)) return Fail(why);
        var message = args[0] switch
        {
            "pacs.008" => SampleMessages.Pacs008(from, to, signed: signed, signer: signature),
            "pacs.002" => SampleMessages.Pacs002(from, to, signed: signed, signer: signature),
            "pacs.004" => SampleMessages.Pacs004(from, to, signed: signed, signer: signature),
            "admi.002" => Admi002(to, signed ? new SpiMessageSigner(signature) : null),
            _ => null,
        };
        if (message is null) return Fail($"unknown message type '{args[0]}'");
        Console.Out.WriteLine(message);
        return 0;
    }

    private static bool TryLoad(string certificatePath, string? keyPath, out SpiSignature signature, out string why)
    {
        signature = SpiSignature.Development;
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!certificate.HasPrivateKey || certificate.GetRSAPublicKey() is null)
            {
                why = $"'{certificatePath}' is not an RSA certificate with its private key (the Pix profile signs with RSA-SHA256)";
                return false;
            }
            signature = new SpiSignature(certificate);
            why = "";
            return true;
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            why = $"cannot read the certificate '{certificatePath}'{(keyPath is null ? "" : $" or the key '{keyPath}'")}: {e.Message}";
            return false;
        }
    }

    // An admi.002 always comes from the SPI; --to names the participant it goes back to.
    private static string Admi002(Ispb to, IMessageSigner? signer)
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
        }, signer);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine($"pix-bench {Usage}\n{why}");
        return 2;
    }
}
