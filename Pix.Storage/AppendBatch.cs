using Pix.Protocol.Ids;
using Pix.Storage.Notices;

namespace Pix.Storage;

/// <summary>The messages of one ingest request, and what became of each. Reused by a connection: <see cref="Clear"/>.</summary>
public sealed class AppendBatch
{
    private readonly List<IncomingMessage> _messages = new(16);
    private readonly List<AppendOutcome> _outcomes = new(16);
    private readonly List<NoticeRequest> _notices = new(16);

    public IReadOnlyList<IncomingMessage> Messages => _messages;
    public List<AppendOutcome> Outcomes => _outcomes;
    public int Count => _messages.Count;

    /// <summary>A receiver holding this many unacknowledged messages or more takes no new ones (back-pressure).</summary>
    public long MaxBacklog { get; set; } = long.MaxValue;

    /// <summary>admi.002 notices to send, stored in the same step as the messages they concern (the outbox).</summary>
    public IReadOnlyList<NoticeRequest> Notices => _notices;

    public void Add(in IncomingMessage message) => _messages.Add(message);

    public void AddNotice(in NoticeRequest notice) => _notices.Add(notice);

    public void Clear()
    {
        _messages.Clear();
        _outcomes.Clear();
        _notices.Clear();
        MaxBacklog = long.MaxValue;
    }
}

/// <summary>One message to store. <see cref="BizMsgIdr"/> is the dedup key with <see cref="From"/>; empty when the
/// message could not be read (then it is never deduplicated).</summary>
public readonly record struct IncomingMessage(
    Ispb To,
    Ispb From,
    ReadOnlyMemory<byte> BizMsgIdr,
    ReadOnlyMemory<byte> Payload,
    Disposition Disposition)
{
    /// <summary>An id the message already has (a quarantined message an operator delivers keeps its id); default: a new one.</summary>
    public ResourceId KeepId { get; init; }
}

/// <summary>Where a stored message goes: into its receiver's queue, or into quarantine (kept, never delivered).</summary>
public enum Disposition : byte
{
    Deliver = 0,
    Quarantine = 1,
}

/// <summary>The id a message got, and whether it had been stored before (then the id is the original one).</summary>
public readonly record struct AppendOutcome(ResourceId Id, bool Duplicate);

/// <summary>How an append went. <see cref="Backlogged"/>: a receiver's backlog is at the limit, so its messages were
/// not stored (others may have been: a retry of the whole request is safe, dedup returns the stored ones' ids).</summary>
public enum AppendStatus : byte
{
    Stored = 0,
    Backlogged = 1,
}
