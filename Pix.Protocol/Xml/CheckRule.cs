namespace Pix.Protocol.Xml;

/// <summary>The exact rule a message broke; <see cref="CheckRuleText.Of"/> gives its UTF-8 text for the admi.002 and the audit record.</summary>
public enum CheckRule : byte
{
    None = 0,
    // charset
    Utf8,
    DeclaredEncoding,
    // well-formedness
    EmptyDocument,
    XmlDeclaration,
    InvalidCharacter,
    TagSyntax,
    AttributeSyntax,
    DuplicateAttribute,
    MismatchedEndTag,
    UnclosedElement,
    ContentOutsideRoot,
    CommentSyntax,
    ProcessingInstructionSyntax,
    CDataSyntax,
    EntityReference,
    CharacterReference,
    UnboundPrefix,
    // DTD
    Doctype,
    // limits
    Depth,
    ElementCount,
    AttributeCount,
    ValueLength,
    // envelope
    Root,
    EnvelopeNamespace,
    ElementNamespace,
    UnknownMessageType,
    UnsupportedVersion,
    // header
    Ispb,
    BizMsgIdr,
    MsgDefIdr,
    CreDt,
    SignatureMissing,
    SignatureElement,
    // signature verification (Pix.Protocol.Signatures)
    SignatureMalformed,
    SignatureAlgorithm,
    SignatureTransform,
    SignatureCertificate,
    SignatureValue,
    SignatureKeyInfoDigest,
    SignatureDocumentDigest,
    SignatureEnvelopeDigest,
    // structure
    MissingElement,
    UnexpectedElement,
    RepeatedElement,
    TextInElementOnlyContent,
    ElementInSimpleContent,
    // values
    MsgIdPattern,
    IspbPattern,
    DateTime,
    Date,
    Max35Text,
    Max77Text,
    Max105Text,
    Max140Text,
    EndToEndIdPattern,
    OrgnlInstrIdPattern,
    RtrIdPattern,
    TxIdPattern,
    CpfCnpjPattern,
    CnpjPattern,
    Max4Numeric,
    Max15Numeric,
    Max20Numeric,
    Decimal,
    AmountDigits,
    AmountNegative,
    Enumeration,
    UniqueAdjustmentReason,
    // attributes
    UnknownAttribute,
    CurrencyMissing,
    Currency,
    // cross-field
    NbOfTxs,
    AmountTwoDecimals,
    // signature verification: Pix knows no certificate for the sender (last, so the other values keep theirs)
    SignatureNoCertificate,
}
