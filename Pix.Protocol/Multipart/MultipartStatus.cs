namespace Pix.Protocol.Multipart;

public enum MultipartStatus : byte
{
    Ok = 0,
    /// <summary>No boundary, a missing delimiter, bad header lines or no closing delimiter.</summary>
    Malformed,
    /// <summary>No part at all.</summary>
    Empty,
    /// <summary>More parts than allowed (ICOM: 10).</summary>
    TooManyParts,
    /// <summary>A part whose Content-Type is not application/xml.</summary>
    PartNotXml,
    /// <summary>A part declaring a charset other than UTF-8.</summary>
    PartCharset,
}
