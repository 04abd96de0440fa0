namespace Pix.Bench.Load;

/// <summary>The ledger's count after the drain. The run fails when <see cref="Lost"/>, <see cref="UnexpectedDuplicates"/>,
/// <see cref="InvalidDelivered"/> or <see cref="MissingNotices"/> is not zero. <see cref="NotSent"/> (scheduled messages
/// an open-loop producer behind its schedule had not sent when its duration ended) never fails it: Pix never saw them.</summary>
internal sealed record LedgerVerdict(
    long Produced, long Accepted, long AcceptedInvalid, long Refused, long NotSent, long ReceivedDistinct, long Lost,
    long DuplicatesAfterAbandon, long UnexpectedDuplicates, long InvalidDelivered, long Notices, long MissingNotices, long Foreign)
{
    public bool Passed => Lost == 0 && UnexpectedDuplicates == 0 && InvalidDelivered == 0 && MissingNotices == 0;
}
