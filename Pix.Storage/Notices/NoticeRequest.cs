using Pix.Protocol.Ids;

namespace Pix.Storage.Notices;

/// <summary>
/// The decision to send an admi.002, stored with the request it concerns (the outbox): a notice is never lost
/// between a message's 201 and its reject, and it is built and signed off the request path by
/// <c>NoticeDispatcher</c>. Text fields are raw UTF-8, as the admi.002 writer takes them.
/// </summary>
public readonly record struct NoticeRequest(
    NoticeKind Kind,
    Ispb To,
    int MessageIndex,
    ReadOnlyMemory<byte> Reference,
    ReadOnlyMemory<byte> Reason,
    ReadOnlyMemory<byte> Location,
    ReadOnlyMemory<byte> Description)
{
    /// <summary><see cref="MessageIndex"/> when the notice concerns no message of the request.</summary>
    public const int NoMessage = -1;
}

public enum NoticeKind : byte
{
    /// <summary>One message failed its checks or could not be routed: RltdRef names it (its BizMsgIdr, or its
    /// PI-ResourceId when <see cref="NoticeRequest.Reference"/> is empty).</summary>
    Rejected = 0,
    /// <summary>The sender was isolated; its messages are quarantined without a notice each until it is released.</summary>
    Isolated = 1,
    /// <summary>An operator released the sender from isolation.</summary>
    Released = 2,
}
