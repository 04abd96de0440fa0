using System.Buffers;
using System.Security.Cryptography;
using CommunityToolkit.HighPerformance.Buffers;
using Pix.Protocol.Ids;

namespace Pix.Protocol.Xml;

/// <summary>
/// Writes a complete admi.002 1.5 (message reject) from the SPI (Fr = 00038166) to the sender of a rejected message,
/// straight into an <see cref="IBufferWriter{T}"/>. Without a signer nothing is allocated and <c>Sgntr</c> is written
/// empty (<c>&lt;Sgntr/&gt;</c>: accepted by <see cref="MessageCheck"/> only with RequireSignature off). With an
/// <see cref="IMessageSigner"/>, the unsigned message is written to a pooled buffer first, then copied with the
/// signature spliced into <c>Sgntr</c> (the signer may allocate).
/// </summary>
public static class Admi002Writer
{
    public const int ReasonMaxChars = 35;
    public const int ReferenceMaxChars = 35;
    public const int TextMaxChars = 350;

    private static ReadOnlySpan<byte> Head =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Envelope xmlns=\"https://www.bcb.gov.br/pi/admi.002/1.5\"><AppHdr><Fr><FIId><FinInstnId><Othr><Id>00038166</Id></Othr></FinInstnId></FIId></Fr><To><FIId><FinInstnId><Othr><Id>"u8;
    private static ReadOnlySpan<byte> AfterTo => "</Id></Othr></FinInstnId></FIId></To><BizMsgIdr>"u8;
    private static ReadOnlySpan<byte> AfterBizMsgIdr => "</BizMsgIdr><MsgDefIdr>admi.002.spi.1.5</MsgDefIdr><CreDt>"u8;
    private static ReadOnlySpan<byte> EmptySignature => "</CreDt><Sgntr/></AppHdr><Document><admi.002.001.01><RltdRef><Ref>"u8;
    private static ReadOnlySpan<byte> AfterRef => "</Ref></RltdRef><Rsn><RjctgPtyRsn>"u8;
    private static ReadOnlySpan<byte> AfterReason => "</RjctgPtyRsn><RjctnDtTm>"u8;
    private static ReadOnlySpan<byte> AfterRejectedAt => "</RjctnDtTm>"u8;
    private static ReadOnlySpan<byte> Tail => "</Rsn></admi.002.001.01></Document></Envelope>"u8;
    private static ReadOnlySpan<byte> IdAlphabet => "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8;

    public static void Write(IBufferWriter<byte> output, scoped in Admi002Reject reject, IMessageSigner? signer = null)
    {
        if (signer is null)
        {
            WriteUnsigned(output, reject);
            return;
        }
        using var unsigned = new ArrayPoolBufferWriter<byte>(1024);
        WriteUnsigned(unsigned, reject);
        var message = unsigned.WrittenSpan;
        var at = message.IndexOf("<Sgntr/>"u8);
        output.Write(message[..at]);
        output.Write("<Sgntr>"u8);
        signer.WriteSignature(message, output);
        output.Write("</Sgntr>"u8);
        output.Write(message[(at + 8)..]);
    }

    /// <summary>The admi.002 for a message <see cref="MessageCheck"/> failed: reason from the failure kind, ErrLctn the
    /// element path, RsnDesc the rule. Ref is the message's BizMsgIdr when it was readable, else <paramref name="resourceId"/>.</summary>
    public static void WriteFor(IBufferWriter<byte> output, ReadOnlySpan<byte> message, in AppHeader header, in CheckResult result,
        Ispb sender, ReadOnlySpan<byte> resourceId, DateTime rejectedAt, IMessageSigner? signer = null)
    {
        var reference = header.HasBizMsgIdr ? message[header.BizMsgIdr] : resourceId;
        var reject = new Admi002Reject
        {
            To = sender,
            RelatedReference = reference,
            Reason = ReasonOf(result.Failure),
            ErrorLocation = result.Location,
            Description = result.Rule,
            RejectedAt = rejectedAt,
        };
        Write(output, reject, signer);
    }

    /// <summary>Short RjctgPtyRsn text per failure kind.</summary>
    public static ReadOnlySpan<byte> ReasonOf(CheckFailure failure) => failure switch
    {
        CheckFailure.Charset => "charset"u8,
        CheckFailure.Syntax or CheckFailure.Dtd or CheckFailure.Limit => "XML mal formado"u8,
        CheckFailure.Envelope => "envelope"u8,
        CheckFailure.UnknownType => "Schema desconhecido"u8,
        CheckFailure.Header => "AppHdr"u8,
        CheckFailure.Signature => "assinatura"u8,
        CheckFailure.CrossField => "regra de preenchimento"u8,
        _ => "schema"u8,
    };

    private static void WriteUnsigned(IBufferWriter<byte> output, scoped in Admi002Reject reject)
    {
        Span<byte> scratch = stackalloc byte[32];
        output.Write(Head);
        reject.To.WriteTo(scratch);
        output.Write(scratch[..Ispb.Length]);
        output.Write(AfterTo);
        if (reject.BizMsgIdr.Length == 32) output.Write(reject.BizMsgIdr);
        else
        {
            WriteFreshBizMsgIdr(scratch);
            output.Write(scratch);
        }
        output.Write(AfterBizMsgIdr);
        IsoDateTimeText.Write(scratch, reject.RejectedAt);
        output.Write(scratch[..IsoDateTimeText.Length]);
        output.Write(EmptySignature);
        XmlTextWriter.WriteEscaped(output, reject.RelatedReference.IsEmpty ? "-"u8 : reject.RelatedReference, ReferenceMaxChars);
        output.Write(AfterRef);
        XmlTextWriter.WriteEscaped(output, reject.Reason.IsEmpty ? "schema"u8 : reject.Reason, ReasonMaxChars);
        output.Write(AfterReason);
        output.Write(scratch[..IsoDateTimeText.Length]);
        output.Write(AfterRejectedAt);
        if (!reject.ErrorLocation.IsEmpty)
        {
            output.Write("<ErrLctn>"u8);
            XmlTextWriter.WriteEscaped(output, reject.ErrorLocation, TextMaxChars);
            output.Write("</ErrLctn>"u8);
        }
        if (!reject.Description.IsEmpty)
        {
            output.Write("<RsnDesc>"u8);
            XmlTextWriter.WriteEscaped(output, reject.Description, TextMaxChars);
            output.Write("</RsnDesc>"u8);
        }
        output.Write(Tail);
    }

    /// <summary><c>M00038166</c> + 23 <c>[0-9A-Za-z]</c> derived from <paramref name="seed"/> (SHA-256): the same seed
    /// always names the same message.</summary>
    public static void WriteDerivedBizMsgIdr(ReadOnlySpan<byte> seed, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(seed, hash);
        "M00038166"u8.CopyTo(destination);
        for (var i = 0; i < 23; i++) destination[9 + i] = IdAlphabet[hash[i] % IdAlphabet.Length];
    }

    /// <summary><c>M00038166</c> + 23 random <c>[0-9A-Za-z]</c>, drawn from the OS generator without allocating.</summary>
    public static void WriteFreshBizMsgIdr(Span<byte> destination)
    {
        "M00038166"u8.CopyTo(destination);
        RandomNumberGenerator.GetItems(IdAlphabet, destination.Slice(9, 23));
    }
}
