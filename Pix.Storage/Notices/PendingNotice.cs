using Pix.Protocol.Ids;

namespace Pix.Storage.Notices;

/// <summary>An outbox entry waiting to be sent. <see cref="EntryId"/> is unique and stable across crashes and nodes:
/// the notice's own BizMsgIdr is derived from it, so sending the same entry twice stores one message.</summary>
public sealed record PendingNotice(
    ResourceId EntryId,
    NoticeKind Kind,
    Ispb To,
    ResourceId Message,
    byte[] Reference,
    byte[] Reason,
    byte[] Location,
    byte[] Description,
    long CreatedAtUnixMs);
