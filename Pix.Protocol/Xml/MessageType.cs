namespace Pix.Protocol.Xml;

/// <summary>The SPI catalogue message a Pix envelope carries, from its namespace <c>https://www.bcb.gov.br/pi/{type}/{version}</c>.</summary>
public enum MessageType : byte
{
    Unknown = 0,
    Pacs008,
    Pacs002,
    Pacs004,
    Admi002,
    Admi004,
    Pibr001,
    Pibr002,
    Camt052,
    Camt053,
    Camt054,
    Camt060,
    Camt014,
    Camt025,
    Camt029,
    Camt055,
    Pain009,
    Pain011,
    Pain012,
    Pain013,
    Pain014,
    Reda014,
    Reda016,
    Reda017,
    Reda022,
    Reda031,
    Reda041,
    Trck002,
}
