using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using Pix.Protocol.Ids;

namespace Pix.Server.Quarantine;

/// <summary>Interim admi.002 writer until the pooled one in Pix.Protocol.Xml lands: same envelope, same fields.</summary>
internal static class RejectNoticeWriter
{
    public static void Write(IBufferWriter<byte> output, Ispb to, ReadOnlySpan<byte> reference, ReadOnlySpan<byte> reason,
        ReadOnlySpan<byte> description, ReadOnlySpan<byte> location, DateTimeOffset now)
    {
        Span<byte> stamp = stackalloc byte[24];
        Format(now, stamp);
        Span<byte> id = stackalloc byte[32];
        "M00038166"u8.CopyTo(id);
        const string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        Span<byte> random = stackalloc byte[23];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 23; i++) id[9 + i] = (byte)alnum[random[i] % alnum.Length];
        Span<byte> toText = stackalloc byte[8];
        to.WriteTo(toText);
        output.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Envelope xmlns=\"https://www.bcb.gov.br/pi/admi.002/1.5\"><AppHdr><Fr><FIId><FinInstnId><Othr><Id>00038166</Id></Othr></FinInstnId></FIId></Fr><To><FIId><FinInstnId><Othr><Id>"u8);
        output.Write(toText);
        output.Write("</Id></Othr></FinInstnId></FIId></To><BizMsgIdr>"u8);
        output.Write(id);
        output.Write("</BizMsgIdr><MsgDefIdr>admi.002.spi.1.5</MsgDefIdr><CreDt>"u8);
        output.Write(stamp);
        output.Write("</CreDt><Sgntr/></AppHdr><Document><admi.002.001.01><RltdRef><Ref>"u8);
        Escaped(output, reference, 33);
        output.Write("</Ref></RltdRef><Rsn><RjctgPtyRsn>"u8);
        Escaped(output, reason, 35);
        output.Write("</RjctgPtyRsn><RjctnDtTm>"u8);
        output.Write(stamp);
        output.Write("</RjctnDtTm>"u8);
        if (!location.IsEmpty)
        {
            output.Write("<ErrLctn>"u8);
            Escaped(output, location, 350);
            output.Write("</ErrLctn>"u8);
        }
        output.Write("<RsnDesc>"u8);
        Escaped(output, description, 350);
        output.Write("</RsnDesc></Rsn></admi.002.001.01></Document></Envelope>"u8);
    }

    private static void Format(DateTimeOffset now, Span<byte> stamp)
    {
        var utc = now.UtcDateTime;
        Utf8Formatter.TryFormat(utc, stamp, out _, new StandardFormat('O'));
        // 'O' gives 2026-11-25T03:07:48.1234567Z; ICOM wants exactly milliseconds.
        stamp[23] = (byte)'Z';
    }

    private static void Escaped(IBufferWriter<byte> output, ReadOnlySpan<byte> text, int max)
    {
        var count = 0;
        foreach (var b in text)
        {
            if (count++ >= max) break;
            output.Write(b switch
            {
                (byte)'<' => "&lt;"u8,
                (byte)'>' => "&gt;"u8,
                (byte)'&' => "&amp;"u8,
                < 0x20 => " "u8,
                _ => [b],
            });
        }
    }
}
