using System.Security.Cryptography;

namespace Pix.Tests.Support;

/// <summary>
/// Unsigned pacs.008 messages in the BCB examples' shape (empty <c>&lt;Sgntr/&gt;</c>, so the server runs with
/// <c>Pix:Xml:RequireSignature=false</c>), each with fresh BizMsgIdr and EndToEndId. The tag in Ustrd lets a test
/// recognise a message when it comes back.
/// </summary>
internal static class TestMessages
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string BizMsgIdr(string fromIspb) => "M" + fromIspb + RandomAlnum(23);

    public static string Pacs008(string from, string to, string tag = "", string? bizMsgIdr = null)
    {
        var id = bizMsgIdr ?? BizMsgIdr(from);
        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        var endToEnd = "E" + "10000000" + now.ToString("yyyyMMddHHmm") + RandomAlnum(11);
        return $"""
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="https://www.bcb.gov.br/pi/pacs.008/1.13"><AppHdr><Fr><FIId><FinInstnId><Othr><Id>{from}</Id></Othr></FinInstnId></FIId></Fr><To><FIId><FinInstnId><Othr><Id>{to}</Id></Othr></FinInstnId></FIId></To><BizMsgIdr>{id}</BizMsgIdr><MsgDefIdr>pacs.008.spi.1.13</MsgDefIdr><CreDt>{stamp}</CreDt><Sgntr/></AppHdr><Document><FIToFICstmrCdtTrf><GrpHdr><MsgId>{id}</MsgId><CreDtTm>{stamp}</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf><PmtTpInf><InstrPrty>HIGH</InstrPrty><SvcLvl><Prtry>PAGPRI</Prtry></SvcLvl></PmtTpInf></GrpHdr><CdtTrfTxInf><PmtId><EndToEndId>{endToEnd}</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="BRL">1000.00</IntrBkSttlmAmt><AccptncDtTm>{stamp}</AccptncDtTm><ChrgBr>SLEV</ChrgBr><MndtRltdInf><Tp><LclInstrm><Prtry>MANU</Prtry></LclInstrm></Tp></MndtRltdInf><Dbtr><Nm>Fulano da Silva</Nm><Id><PrvtId><Othr><Id>70000000000</Id></Othr></PrvtId></Id></Dbtr><DbtrAcct><Id><Othr><Id>500000</Id><Issr>3000</Issr></Othr></Id><Tp><Cd>CACC</Cd></Tp></DbtrAcct><DbtrAgt><FinInstnId><ClrSysMmbId><MmbId>10000000</MmbId></ClrSysMmbId></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>20000000</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt><Cdtr><Id><PrvtId><Othr><Id>80000000000</Id></Othr></PrvtId></Id></Cdtr><CdtrAcct><Id><Othr><Id>600000</Id><Issr>4000</Issr></Othr></Id><Tp><Cd>SVGS</Cd></Tp></CdtrAcct><Purp><Cd>IPAY</Cd></Purp><RmtInf><Ustrd>tag {tag}</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document></Envelope>
""";
    }

    private static string RandomAlnum(int length) => RandomNumberGenerator.GetString(Alnum, length);
}
