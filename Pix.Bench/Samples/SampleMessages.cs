using Pix.Protocol.Ids;
using Pix.Server.Signing;

namespace Pix.Bench.Samples;

/// <summary>
/// Valid SPI messages for tests, benchmarks and the load generator: pacs.008 1.13, pacs.002 1.14 and pacs.004 1.5,
/// valid against the BCB XSDs, with fresh ids on every call, signed with XMLDSig by the development certificate or
/// <c>signer</c> (pass <c>signed: false</c> for the empty <c>&lt;Sgntr/&gt;</c> of the BCB examples).
/// </summary>
public static class SampleMessages
{
    private static readonly Ispb SamplePayerPsp = Ispb.Parse("99999009");
    private static readonly Ispb SamplePayeePsp = Ispb.Parse("99999010");

    /// <summary>A Pix payment order (MANU, PAGPRI) of <paramref name="transactions"/> transactions. The payer's PSP is
    /// <paramref name="from"/> unless that is the SPI; the payee's is <paramref name="to"/> unless that is the SPI.</summary>
    public static string Pacs008(Ispb from, Ispb to, decimal amount = 100.00m, int transactions = 1, bool signed = true, SpiSignature? signer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transactions, 1);
        var now = DateTime.UtcNow;
        var debtorAgent = from == Ispb.Spi ? SamplePayerPsp : from;
        var creditorAgent = to == Ispb.Spi ? SamplePayeePsp : to;
        var msgId = SampleIds.MsgId(from);
        var w = new SpiEnvelopeWriter("pacs.008", "1.13", from, to, msgId, now);
        w.Start("FIToFICstmrCdtTrf");
        w.Start("GrpHdr");
        w.Element("MsgId", msgId);
        w.Element("CreDtTm", SpiEnvelopeWriter.DateTimeText(now));
        w.Element("NbOfTxs", transactions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.Start("SttlmInf");
        w.Element("SttlmMtd", "CLRG");
        w.End();
        w.Start("PmtTpInf");
        w.Element("InstrPrty", "HIGH");
        w.Start("SvcLvl");
        w.Element("Prtry", "PAGPRI");
        w.End();
        w.End();
        w.End();
        for (var i = 0; i < transactions; i++)
        {
            w.Start("CdtTrfTxInf");
            w.Start("PmtId");
            w.Element("EndToEndId", SampleIds.EndToEndId(debtorAgent, now));
            w.End();
            w.Amount("IntrBkSttlmAmt", amount);
            w.Element("AccptncDtTm", SpiEnvelopeWriter.DateTimeText(now));
            w.Element("ChrgBr", "SLEV");
            w.Start("MndtRltdInf");
            w.Start("Tp");
            w.Start("LclInstrm");
            w.Element("Prtry", "MANU");
            w.End();
            w.End();
            w.End();
            w.Start("Dbtr");
            w.Element("Nm", "Fulano da Silva");
            Person(w, "Id");
            w.End();
            Account(w, "DbtrAcct", "CACC");
            w.Agent("DbtrAgt", debtorAgent);
            w.Agent("CdtrAgt", creditorAgent);
            w.Start("Cdtr");
            Person(w, "Id");
            w.End();
            Account(w, "CdtrAcct", "TRAN");
            w.Start("Purp");
            w.Element("Cd", "IPAY");
            w.End();
            w.Start("RmtInf");
            w.Element("Ustrd", "Pix sample payment");
            w.End();
            w.End();
        }
        w.End();
        return w.Finish(signed ? signer ?? SpiSignature.Development : null);
    }

    /// <summary>A status report on <paramref name="originalEndToEndId"/> (a fresh one when null). Settled statuses
    /// (ACCC, ACSC) carry the settlement time and date; RJCT carries <paramref name="reason"/> (AB09 by default).</summary>
    public static string Pacs002(Ispb from, Ispb to, string? originalEndToEndId = null, string status = "ACSP",
        string? reason = null, bool signed = true, SpiSignature? signer = null)
    {
        var now = DateTime.UtcNow;
        var endToEndId = originalEndToEndId ?? SampleIds.EndToEndId(to == Ispb.Spi ? SamplePayerPsp : to, now);
        var msgId = SampleIds.MsgId(from);
        var w = new SpiEnvelopeWriter("pacs.002", "1.14", from, to, msgId, now);
        w.Start("FIToFIPmtStsRpt");
        w.Start("GrpHdr");
        w.Element("MsgId", msgId);
        w.Element("CreDtTm", SpiEnvelopeWriter.DateTimeText(now));
        w.End();
        w.Start("TxInfAndSts");
        w.Element("OrgnlInstrId", endToEndId);
        w.Element("OrgnlEndToEndId", endToEndId);
        w.Element("TxSts", status);
        if (status == "RJCT")
        {
            w.Start("StsRsnInf");
            w.Start("Rsn");
            w.Element("Cd", reason ?? "AB09");
            w.End();
            w.End();
        }
        if (status is "ACCC" or "ACSC")
        {
            w.Start("FctvIntrBkSttlmDt");
            w.Element("DtTm", SpiEnvelopeWriter.DateTimeText(now));
            w.End();
            w.Start("OrgnlTxRef");
            w.Element("IntrBkSttlmDt", now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            w.End();
        }
        w.End();
        w.End();
        return w.Finish(signed ? signer ?? SpiSignature.Development : null);
    }

    /// <summary>A return of <paramref name="amount"/> on <paramref name="originalEndToEndId"/> (fresh when null), for
    /// reason <paramref name="reason"/> (MD06: asked by the payee). The returning PSP is <paramref name="from"/> unless that is the SPI.</summary>
    public static string Pacs004(Ispb from, Ispb to, string? originalEndToEndId = null, decimal amount = 100.00m,
        string reason = "MD06", bool signed = true, SpiSignature? signer = null)
    {
        var now = DateTime.UtcNow;
        var returningPsp = from == Ispb.Spi ? SamplePayeePsp : from;
        var originalPayerPsp = to == Ispb.Spi ? SamplePayerPsp : to;
        var msgId = SampleIds.MsgId(from);
        var w = new SpiEnvelopeWriter("pacs.004", "1.5", from, to, msgId, now);
        w.Start("PmtRtr");
        w.Start("GrpHdr");
        w.Element("MsgId", msgId);
        w.Element("CreDtTm", SpiEnvelopeWriter.DateTimeText(now));
        w.Element("NbOfTxs", "1");
        w.Start("SttlmInf");
        w.Element("SttlmMtd", "CLRG");
        w.End();
        w.End();
        w.Start("TxInf");
        w.Element("RtrId", SampleIds.RtrId(returningPsp, now));
        w.Element("OrgnlEndToEndId", originalEndToEndId ?? SampleIds.EndToEndId(originalPayerPsp, now.AddMinutes(-5)));
        w.Amount("RtrdIntrBkSttlmAmt", amount);
        w.Element("SttlmPrty", "NORM");
        w.Element("ChrgBr", "SLEV");
        w.Start("RtrRsnInf");
        w.Start("Rsn");
        w.Element("Cd", reason);
        w.End();
        w.End();
        w.Start("OrgnlTxRef");
        w.Agent("DbtrAgt", returningPsp);
        w.Agent("CdtrAgt", originalPayerPsp);
        w.End();
        w.End();
        w.End();
        return w.Finish(signed ? signer ?? SpiSignature.Development : null);
    }

    private static void Person(SpiEnvelopeWriter w, string name)
    {
        w.Start(name);
        w.Start("PrvtId");
        w.Start("Othr");
        w.Element("Id", SampleIds.Digits(11));
        w.End();
        w.End();
        w.End();
    }

    private static void Account(SpiEnvelopeWriter w, string name, string type)
    {
        w.Start(name);
        w.Start("Id");
        w.Start("Othr");
        w.Element("Id", SampleIds.Digits(8));
        w.Element("Issr", SampleIds.Digits(4));
        w.End();
        w.End();
        w.Start("Tp");
        w.Element("Cd", type);
        w.End();
        w.End();
    }
}
