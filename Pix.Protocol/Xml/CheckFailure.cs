namespace Pix.Protocol.Xml;

/// <summary>The kind of check a message failed; <see cref="CheckResult.Rule"/> says which rule exactly.</summary>
public enum CheckFailure : byte
{
    None = 0,
    /// <summary>The bytes are not UTF-8 (or the XML declaration names another encoding): the server answers 400 charset.</summary>
    Charset,
    /// <summary>Not well-formed XML.</summary>
    Syntax,
    /// <summary>A DOCTYPE or entity declaration: refused so no DTD is ever processed (XXE, entity expansion).</summary>
    Dtd,
    /// <summary>Depth, element count or attribute count over the configured bounds.</summary>
    Limit,
    /// <summary>Root, namespace or the AppHdr/Document layout of the SPI envelope.</summary>
    Envelope,
    /// <summary>The namespace names a message type or version Pix does not know.</summary>
    UnknownType,
    /// <summary>An AppHdr field breaks its rule (ISPB, BizMsgIdr, MsgDefIdr, CreDt).</summary>
    Header,
    /// <summary>AppHdr/Sgntr holds no XMLDSig signature while one is required, or (Pix.Protocol.Signatures) it does not verify.</summary>
    Signature,
    /// <summary>An element is missing, repeated, out of order or not allowed there.</summary>
    Structure,
    /// <summary>A value breaks its XSD simple type (pattern, length, enumeration, number, date).</summary>
    Value,
    /// <summary>An attribute is missing, unknown or wrong.</summary>
    Attribute,
    /// <summary>A rule across fields beyond the XSD (NbOfTxs, amounts with two decimals).</summary>
    CrossField,
}
