using static Pix.Protocol.Xml.Schema.HeaderSchema;

namespace Pix.Protocol.Xml.Schema;

/// <summary>pacs.004.spi.1.5 (PaymentReturnV09 as restricted by the BCB).</summary>
internal static class Pacs004Schema
{
    private static readonly byte[][] ReturnReasons = ElementDecl.CodeList("BE08", "FR01", "MD06", "SL02");

    public static readonly ElementDecl Envelope = HeaderSchema.Envelope(new("Document",
    [
        new("PmtRtr",
        [
            new("GrpHdr",
            [
                new("MsgId", SimpleKind.MsgId),
                new("CreDtTm", SimpleKind.IsoDateTime),
                // A string here (Max15NumericText), unlike pacs.008's xs:integer: no whitespace collapsing.
                new("NbOfTxs", SimpleKind.Max15NumericText, role: FieldRole.NbOfTxs),
                new("SttlmInf", [Code("SttlmMtd", Clrg)]),
            ]),
            new("TxInf",
            [
                new("RtrId", SimpleKind.RtrId),
                new("OrgnlEndToEndId", SimpleKind.EndToEndId),
                Amount("RtrdIntrBkSttlmAmt"),
                Code("SttlmPrty", Priority),
                Code("ChrgBr", Slev),
                new("RtrRsnInf", [new("Rsn", [Code("Cd", ReturnReasons)]), new("AddtlInf", SimpleKind.Max105Text, min: 0)]),
                new("OrgnlTxRef",
                [
                    new("RmtInf", [new("Ustrd", SimpleKind.Max140Text)], min: 0),
                    Agent("DbtrAgt"),
                    Agent("CdtrAgt"),
                ]),
            ], max: int.MaxValue, role: FieldRole.Transaction),
        ]),
    ]));
}
