namespace Pix.Protocol.Xml.Schema;

/// <summary>The XSD simple types used by the SPI messages Pix checks in full.</summary>
internal enum SimpleKind : byte
{
    Ispb,
    MsgId,
    IsoDateTime,
    IsoDate,
    Max35Text,
    Max77Text,
    Max105Text,
    Max140Text,
    EndToEndId,
    OrgnlInstrId,
    RtrId,
    TxId,
    CpfCnpj,
    Cnpj,
    Max4Numeric,
    Max15Numeric,
    Max15NumericText,
    Max20Numeric,
    Amount,
    Enumeration,
}
