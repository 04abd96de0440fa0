using System.Text;

namespace Pix.Bench.Embedded;

/// <summary>
/// A valid unsigned pacs.008 (the BCB examples' shape, empty <c>&lt;Sgntr/&gt;</c>) from a PSP to the SPI, with its
/// BizMsgIdr ending in <see cref="SerialDigits"/> digits that <see cref="Stamp"/> rewrites in place, so every request
/// carries a new dedup key without building a new byte array.
/// </summary>
internal static class BenchMessages
{
    public const string Sender = "10000000";
    public const string Receiver = "00038166";
    public const int SerialDigits = 12;
    private const string BizMsgIdrPrefix = "M10000000ABCDEFGHIJK";

    public static byte[] Pacs008()
    {
        var id = BizMsgIdrPrefix + new string('0', SerialDigits);
        const string stamp = "2026-11-25T10:00:00.000Z";
        var xml = $"""
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="https://www.bcb.gov.br/pi/pacs.008/1.13"><AppHdr><Fr><FIId><FinInstnId><Othr><Id>{Sender}</Id></Othr></FinInstnId></FIId></Fr><To><FIId><FinInstnId><Othr><Id>{Receiver}</Id></Othr></FinInstnId></FIId></To><BizMsgIdr>{id}</BizMsgIdr><MsgDefIdr>pacs.008.spi.1.13</MsgDefIdr><CreDt>{stamp}</CreDt><Sgntr/></AppHdr><Document><FIToFICstmrCdtTrf><GrpHdr><MsgId>{id}</MsgId><CreDtTm>{stamp}</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf><PmtTpInf><InstrPrty>HIGH</InstrPrty><SvcLvl><Prtry>PAGPRI</Prtry></SvcLvl></PmtTpInf></GrpHdr><CdtTrfTxInf><PmtId><EndToEndId>E1000000020261125100012345678901</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="BRL">1000.00</IntrBkSttlmAmt><AccptncDtTm>{stamp}</AccptncDtTm><ChrgBr>SLEV</ChrgBr><MndtRltdInf><Tp><LclInstrm><Prtry>MANU</Prtry></LclInstrm></Tp></MndtRltdInf><Dbtr><Nm>Fulano da Silva</Nm><Id><PrvtId><Othr><Id>70000000000</Id></Othr></PrvtId></Id></Dbtr><DbtrAcct><Id><Othr><Id>500000</Id><Issr>3000</Issr></Othr></Id><Tp><Cd>CACC</Cd></Tp></DbtrAcct><DbtrAgt><FinInstnId><ClrSysMmbId><MmbId>10000000</MmbId></ClrSysMmbId></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>20000000</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt><Cdtr><Id><PrvtId><Othr><Id>80000000000</Id></Othr></PrvtId></Id></Cdtr><CdtrAcct><Id><Othr><Id>600000</Id><Issr>4000</Issr></Othr></Id><Tp><Cd>SVGS</Cd></Tp></CdtrAcct><Purp><Cd>IPAY</Cd></Purp><RmtInf><Ustrd>bench</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document></Envelope>
""";
        return Encoding.UTF8.GetBytes(xml);
    }

    /// <summary>Offsets of every serial in <paramref name="bytes"/> (one per BizMsgIdr element it holds).</summary>
    public static int[] SerialOffsets(ReadOnlySpan<byte> bytes)
    {
        var offsets = new List<int>();
        var open = "<BizMsgIdr>"u8;
        var at = 0;
        while (true)
        {
            var found = bytes[at..].IndexOf(open);
            if (found < 0) return [.. offsets];
            at += found + open.Length;
            offsets.Add(at + BizMsgIdrPrefix.Length);
        }
    }

    /// <summary>Writes <paramref name="serial"/> as decimal digits at <paramref name="offset"/>.</summary>
    public static void Stamp(Span<byte> bytes, int offset, long serial)
    {
        for (var i = SerialDigits - 1; i >= 0; i--)
        {
            bytes[offset + i] = (byte)('0' + serial % 10);
            serial /= 10;
        }
    }
}
