using Pix.Protocol.Ids;

namespace Pix.Protocol.Xml;

/// <summary>What <see cref="MessageCheck.Check"/> read from the envelope and AppHdr. Ranges index the checked message
/// bytes. Filled as far as the reader got, even when the check failed (From routes the admi.002 back).</summary>
public readonly struct AppHeader
{
    public MessageType Type { get; init; }
    /// <summary>The namespace's <c>{type}/{version}</c> part, e.g. <c>pacs.008/1.13</c>.</summary>
    public Range TypeAndVersion { get; init; }
    public Ispb From { get; init; }
    public Ispb To { get; init; }
    public bool HasFrom { get; init; }
    public bool HasTo { get; init; }
    public Range BizMsgIdr { get; init; }
    public bool HasBizMsgIdr { get; init; }
    public Range MsgDefIdr { get; init; }
    public Range CreDt { get; init; }
    /// <summary>Sgntr held an element (its content is not verified here).</summary>
    public bool HasSignature { get; init; }
}
