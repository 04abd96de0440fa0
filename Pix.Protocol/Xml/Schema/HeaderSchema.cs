namespace Pix.Protocol.Xml.Schema;

/// <summary>The SPI envelope and its AppHdr (head.001.001.01 subset), the same in every catalogue message.</summary>
internal static class HeaderSchema
{
    public static ElementDecl Party(string name, FieldRole role) =>
        new(name, [new("FIId", [new("FinInstnId", [new("Othr", [new("Id", SimpleKind.Ispb, role: role)])])])]);

    public static ElementDecl AppHdr() => new("AppHdr",
    [
        Party("Fr", FieldRole.From),
        Party("To", FieldRole.To),
        new("BizMsgIdr", SimpleKind.MsgId, role: FieldRole.BizMsgIdr),
        new("MsgDefIdr", SimpleKind.Max35Text, role: FieldRole.MsgDefIdr),
        new("CreDt", SimpleKind.IsoDateTime, role: FieldRole.CreDt),
        new("Sgntr", [], role: FieldRole.Signature),
    ]);

    public static ElementDecl Envelope(ElementDecl document) => new("Envelope", [AppHdr(), document]);

    /// <summary>For catalogue types Pix has no XSD for: the header is checked, the Document only for well-formedness.</summary>
    public static readonly ElementDecl EnvelopeOnly = Envelope(new("Document", [], role: FieldRole.AnyContent));

    // Shared ISO building blocks of the pacs schemas.
    public static ElementDecl Agent(string name) =>
        new(name, [new("FinInstnId", [new("ClrSysMmbId", [new("MmbId", SimpleKind.Ispb)])])]);

    public static ElementDecl Amount(string name) => new(name, SimpleKind.Amount, role: FieldRole.Amount);

    public static ElementDecl Code(string name, byte[][] codes, int min = 1) =>
        new(name, SimpleKind.Enumeration, min: min, codes: codes);

    public static readonly byte[][] Clrg = ElementDecl.CodeList("CLRG");
    public static readonly byte[][] Slev = ElementDecl.CodeList("SLEV");
    public static readonly byte[][] Priority = ElementDecl.CodeList("HIGH", "NORM");
}
