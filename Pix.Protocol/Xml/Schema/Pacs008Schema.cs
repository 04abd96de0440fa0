using static Pix.Protocol.Xml.Schema.HeaderSchema;

namespace Pix.Protocol.Xml.Schema;

/// <summary>pacs.008.spi.1.13 (FIToFICustomerCreditTransferV09 as restricted by the BCB), element by element.</summary>
internal static class Pacs008Schema
{
    private static readonly byte[][] AccountTypes = ElementDecl.CodeList("CACC", "SLRY", "SVGS", "TRAN");
    private static readonly byte[][] Purposes = ElementDecl.CodeList("GSCB", "IPAY", "OTHR", "REFU");
    private static readonly byte[][] LocalInstruments = ElementDecl.CodeList("APDN", "AUTO", "DICT", "INIC", "MANU", "QRDN", "QRES");
    private static readonly byte[][] ServiceLevels = ElementDecl.CodeList("PAGAGD", "PAGFRD", "PAGPRI");
    private static readonly byte[][] AgentModes = ElementDecl.CodeList("AGFSS", "AGTEC", "AGTOT");
    private static readonly byte[][] AdjustmentReasons = ElementDecl.CodeList("VLCP", "VLDN");

    private static ElementDecl Person(string name) =>
        new(name, [new("PrvtId", [new("Othr", [new("Id", SimpleKind.CpfCnpj)])])]);

    private static ElementDecl Account(string name, bool withProxy) => new(name, withProxy
        ? [AccountId(), AccountType(), new("Prxy", [new("Id", SimpleKind.Max77Text)], min: 0)]
        : [AccountId(), AccountType()]);

    private static ElementDecl AccountId() =>
        new("Id", [new("Othr", [new("Id", SimpleKind.Max20Numeric), new("Issr", SimpleKind.Max4Numeric, min: 0)])]);

    private static ElementDecl AccountType() => new("Tp", [Code("Cd", AccountTypes)]);

    private static ElementDecl Transaction() => new("CdtTrfTxInf",
    [
        new("PmtId", [new("EndToEndId", SimpleKind.EndToEndId), new("TxId", SimpleKind.TxId, min: 0)]),
        Amount("IntrBkSttlmAmt"),
        new("AccptncDtTm", SimpleKind.IsoDateTime),
        Code("ChrgBr", Slev),
        new("MndtRltdInf", [new("Tp", [new("LclInstrm", [Code("Prtry", LocalInstruments)])])]),
        new("InitgPty", [new("Id", [new("OrgId", [new("Othr", [new("Id", SimpleKind.Cnpj)])])])], min: 0),
        new("Dbtr", [new("Nm", SimpleKind.Max140Text), Person("Id")]),
        Account("DbtrAcct", withProxy: false),
        Agent("DbtrAgt"),
        Agent("CdtrAgt"),
        new("Cdtr", [Person("Id")]),
        Account("CdtrAcct", withProxy: true),
        new("Purp", [Code("Cd", Purposes)]),
        new("RmtInf",
        [
            new("Ustrd", SimpleKind.Max140Text, min: 0),
            new("Strd",
            [
                new("RfrdDocInf", [new("Tp", [new("CdOrPrtry", [Code("Prtry", AgentModes)]), new("Issr", SimpleKind.Ispb)])]),
                new("RfrdDocAmt",
                [
                    new("AdjstmntAmtAndRsn",
                        [Amount("Amt"), new("Rsn", SimpleKind.Enumeration, role: FieldRole.AdjustmentReason, codes: AdjustmentReasons)],
                        max: 2),
                ], role: FieldRole.AdjustmentSet),
            ], min: 0),
        ], min: 0),
    ], max: int.MaxValue, role: FieldRole.Transaction);

    public static readonly ElementDecl Envelope = HeaderSchema.Envelope(new("Document",
    [
        new("FIToFICstmrCdtTrf",
        [
            new("GrpHdr",
            [
                new("MsgId", SimpleKind.MsgId),
                new("CreDtTm", SimpleKind.IsoDateTime),
                new("NbOfTxs", SimpleKind.Max15Numeric, role: FieldRole.NbOfTxs),
                new("SttlmInf", [Code("SttlmMtd", Clrg)]),
                new("PmtTpInf", [Code("InstrPrty", Priority), new("SvcLvl", [Code("Prtry", ServiceLevels)])]),
            ]),
            Transaction(),
        ]),
    ]));
}
