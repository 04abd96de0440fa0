using Pix.Protocol.Ids;

namespace Pix.Storage.Quarantine;

/// <summary>A message kept in quarantine: never delivered unless an operator delivers it.</summary>
public readonly record struct QuarantinedMessage(ResourceId Id, Ispb From, Ispb To, long StoredAtUnixMs, int Length);

/// <summary>What delivering a quarantined message did.</summary>
public readonly record struct QuarantineDelivery(QuarantineDeliveryStatus Status, ResourceId Id, Ispb To);

public enum QuarantineDeliveryStatus : byte
{
    /// <summary>Now in its receiver's queue under its own id, holding its dedup key.</summary>
    Delivered = 0,
    /// <summary>Its receiver already has a message with the same sender and BizMsgIdr (a corrected resend): not delivered
    /// again; <see cref="QuarantineDelivery.Id"/> is that message's id.</summary>
    Duplicate = 1,
    /// <summary>No such quarantined message (never was, delivered already, or dropped by retention or the quota).</summary>
    NotFound = 2,
}

/// <summary><c>Pix:Xml:QuarantineRetention</c> and <c>Pix:Xml:QuarantineQuotaPerSender</c>: how long and how many
/// quarantined messages are kept per sender, whatever <c>Pix:Retention</c> says; beyond the quota the oldest go first.</summary>
public sealed record QuarantineLimits(TimeSpan Retention, int QuotaPerSender)
{
    public static QuarantineLimits Default { get; } = new(TimeSpan.FromDays(30), 100_000);
}
