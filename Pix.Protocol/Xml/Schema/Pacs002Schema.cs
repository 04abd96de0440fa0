using static Pix.Protocol.Xml.Schema.HeaderSchema;

namespace Pix.Protocol.Xml.Schema;

/// <summary>pacs.002.spi.1.14 (FIToFIPaymentStatusReportV10 as restricted by the BCB).</summary>
internal static class Pacs002Schema
{
    private static readonly byte[][] Statuses = ElementDecl.CodeList("ACCC", "ACSC", "ACSP", "RJCT");
    private static readonly byte[][] Reasons = ElementDecl.CodeList(
        "AB03", "AB09", "AB11", "AC03", "AC06", "AC07", "AC14", "AG03", "AG12", "AG13", "AGNT", "AM01", "AM02", "AM04",
        "AM09", "AM12", "AM18", "BE01", "BE05", "BE15", "BE17", "CH11", "CH16", "CN01", "DS04", "DS0G", "DS27", "DT02",
        "DT05", "DUPL", "ED05", "FF07", "FF08", "FRAD", "MD01", "RC09", "RC10", "RR04", "SL02", "UPAY");

    public static readonly ElementDecl Envelope = HeaderSchema.Envelope(new("Document",
    [
        new("FIToFIPmtStsRpt",
        [
            new("GrpHdr", [new("MsgId", SimpleKind.MsgId), new("CreDtTm", SimpleKind.IsoDateTime)]),
            new("TxInfAndSts",
            [
                new("OrgnlInstrId", SimpleKind.OrgnlInstrId),
                new("OrgnlEndToEndId", SimpleKind.EndToEndId),
                Code("TxSts", Statuses),
                new("StsRsnInf",
                [
                    new("Rsn", [Code("Cd", Reasons)], min: 0),
                    new("AddtlInf", SimpleKind.Max105Text, min: 0, max: int.MaxValue),
                ], min: 0, max: int.MaxValue),
                new("FctvIntrBkSttlmDt", [new("DtTm", SimpleKind.IsoDateTime)], min: 0),
                new("OrgnlTxRef", [new("IntrBkSttlmDt", SimpleKind.IsoDate)], min: 0),
            ], max: int.MaxValue, role: FieldRole.Transaction),
        ]),
    ]));
}
