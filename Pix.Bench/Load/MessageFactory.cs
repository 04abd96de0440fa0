using System.Text;

namespace Pix.Bench.Load;

/// <summary>
/// Unsigned pacs.008 messages from the SPI in the BCB examples' shape (empty <c>&lt;Sgntr/&gt;</c>: the server runs
/// with <c>--Pix:Xml:RequireSignature false</c>). Each message's BizMsgIdr carries the run id and a sequence number,
/// which is how the ledger recognises it when a PSP receives it, and how an admi.002 names it (RltdRef/Ref).
/// An invalid message has a purpose code outside the BCB list: readable, routable, but failing the schema check.
/// </summary>
internal sealed class MessageFactory(string runId)
{
    public const string Spi = "00038166";
    private const string IdPrefix = "M" + Spi;

    private long _sequence;

    public string RunId => runId;

    /// <summary>A new sequence number for this run's next message (thread-safe).</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>The text every BizMsgIdr of this run starts with; the 17 digits after it are the sequence number.</summary>
    public string Marker { get; } = IdPrefix + runId;

    public byte[] Pacs008(long seq, string to, bool valid)
    {
        var id = Marker + seq.ToString("D17");
        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        var endToEnd = "E10000000" + now.ToString("yyyyMMddHHmm") + (seq % 100_000_000_000L).ToString("D11");
        var purpose = valid ? "IPAY" : "XXXX";
        return Encoding.UTF8.GetBytes($"""<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="https://www.bcb.gov.br/pi/pacs.008/1.13"><AppHdr><Fr><FIId><FinInstnId><Othr><Id>{Spi}</Id></Othr></FinInstnId></FIId></Fr><To><FIId><FinInstnId><Othr><Id>{to}</Id></Othr></FinInstnId></FIId></To><BizMsgIdr>{id}</BizMsgIdr><MsgDefIdr>pacs.008.spi.1.13</MsgDefIdr><CreDt>{stamp}</CreDt><Sgntr/></AppHdr><Document><FIToFICstmrCdtTrf><GrpHdr><MsgId>{id}</MsgId><CreDtTm>{stamp}</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf><PmtTpInf><InstrPrty>HIGH</InstrPrty><SvcLvl><Prtry>PAGPRI</Prtry></SvcLvl></PmtTpInf></GrpHdr><CdtTrfTxInf><PmtId><EndToEndId>{endToEnd}</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="BRL">1000.00</IntrBkSttlmAmt><AccptncDtTm>{stamp}</AccptncDtTm><ChrgBr>SLEV</ChrgBr><MndtRltdInf><Tp><LclInstrm><Prtry>MANU</Prtry></LclInstrm></Tp></MndtRltdInf><Dbtr><Nm>Fulano da Silva</Nm><Id><PrvtId><Othr><Id>70000000000</Id></Othr></PrvtId></Id></Dbtr><DbtrAcct><Id><Othr><Id>500000</Id><Issr>3000</Issr></Othr></Id><Tp><Cd>CACC</Cd></Tp></DbtrAcct><DbtrAgt><FinInstnId><ClrSysMmbId><MmbId>10000000</MmbId></ClrSysMmbId></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>20000000</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt><Cdtr><Id><PrvtId><Othr><Id>80000000000</Id></Othr></PrvtId></Id></Cdtr><CdtrAcct><Id><Othr><Id>600000</Id><Issr>4000</Issr></Othr></Id><Tp><Cd>SVGS</Cd></Tp></CdtrAcct><Purp><Cd>{purpose}</Cd></Purp><RmtInf><Ustrd>bench {runId} {seq}</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document></Envelope>""");
    }

    /// <summary>The sequence numbers of this run's messages named in <paramref name="xml"/> (the BizMsgIdr of a
    /// delivered pacs.008, or the RltdRef/Ref of an admi.002); -1 when the message is not of this run.</summary>
    public long SequenceIn(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> element)
    {
        var marker = Encoding.ASCII.GetBytes(Marker);
        Span<byte> open = stackalloc byte[element.Length + 2];
        open[0] = (byte)'<';
        element.CopyTo(open[1..]);
        open[^1] = (byte)'>';
        var at = xml.IndexOf(open);
        if (at < 0) return -1;
        var value = xml[(at + open.Length)..];
        if (!value.StartsWith(marker) || value.Length < marker.Length + 17) return -1;
        long seq = 0;
        foreach (var digit in value.Slice(marker.Length, 17)) seq = seq * 10 + (digit - '0');
        return seq;
    }
}
