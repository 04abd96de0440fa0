namespace Pix.Protocol.Xml.Schema;

/// <summary>What an element means to the checker beyond its type: header fields it captures, counters for cross-field rules.</summary>
internal enum FieldRole : byte
{
    None,
    From,
    To,
    BizMsgIdr,
    MsgDefIdr,
    CreDt,
    Signature,
    NbOfTxs,
    Transaction,
    Amount,
    AdjustmentSet,
    AdjustmentReason,
    /// <summary>Content not checked (the Document of catalogue types without a schema in Pix).</summary>
    AnyContent,
}
