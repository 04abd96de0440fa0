using Pix.Protocol.Ids;

namespace Pix.Protocol.Xml;

/// <summary>What an admi.002 says: to whom, about which message, why and where. Text fields are raw UTF-8; the writer
/// escapes them and cuts them to their XSD lengths.</summary>
public readonly ref struct Admi002Reject
{
    /// <summary>The original sender, who receives the reject.</summary>
    public required Ispb To { get; init; }
    /// <summary>RltdRef/Ref: the rejected message's BizMsgIdr, or its PI-ResourceId when that was unreadable.</summary>
    public required ReadOnlySpan<byte> RelatedReference { get; init; }
    /// <summary>Rsn/RjctgPtyRsn, a short reason (up to 35 characters).</summary>
    public required ReadOnlySpan<byte> Reason { get; init; }
    /// <summary>Rsn/ErrLctn (up to 350 characters); omitted when empty.</summary>
    public ReadOnlySpan<byte> ErrorLocation { get; init; }
    /// <summary>Rsn/RsnDesc (up to 350 characters); omitted when empty.</summary>
    public ReadOnlySpan<byte> Description { get; init; }
    /// <summary>AppHdr/BizMsgIdr (32 characters); empty: a fresh random one. A notice sent from an outbox names a
    /// fixed one, so sending it twice is one message for dedup.</summary>
    public ReadOnlySpan<byte> BizMsgIdr { get; init; }
    /// <summary>Rsn/RjctnDtTm and AppHdr/CreDt (UTC).</summary>
    public required DateTime RejectedAt { get; init; }
}
