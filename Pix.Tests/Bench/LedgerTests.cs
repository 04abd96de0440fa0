using Pix.Bench.Load;

namespace Pix.Tests.Bench;

/// <summary>The load client's ledger: what counts as lost, as a duplicate, as an allowed redelivery.</summary>
public sealed class LedgerTests
{
    [Fact]
    public void ABatchWhoseDeleteWasAnswered410MayComeAgainWithoutCountingAsDuplicates()
    {
        var ledger = DeliveredOnce(3);

        // The stream had expired: Pix put the batch back unacknowledged and delivers it again on another stream.
        ledger.Closed([0, 1, 2], 410);
        for (var seq = 0; seq < 3; seq++) ledger.Received(seq);

        var verdict = ledger.Verdict(expectNotices: false);
        Assert.Equal(0, verdict.UnexpectedDuplicates);
        Assert.Equal(3, verdict.DuplicatesAfterAbandon);
        Assert.True(verdict.Passed);
    }

    [Fact]
    public void ABatchWhoseDeleteWasAnswered200IsAcknowledgedSoARepeatIsADuplicate()
    {
        var ledger = DeliveredOnce(3);

        ledger.Closed([0, 1, 2], 200);
        ledger.Received(1);

        var verdict = ledger.Verdict(expectNotices: false);
        Assert.Equal(1, verdict.UnexpectedDuplicates);
        Assert.Equal(0, verdict.DuplicatesAfterAbandon);
        Assert.False(verdict.Passed);
    }

    [Fact]
    public void ABatchWhoseDeleteGotNoAnswerMayComeAgain()
    {
        var ledger = DeliveredOnce(2);

        ledger.Closed([0, 1], null);
        ledger.Received(0);

        Assert.Equal(0, ledger.Verdict(expectNotices: false).UnexpectedDuplicates);
    }

    [Fact]
    public void MessagesNeverSentAreReportedApartAndNeitherLostNorPending()
    {
        var ledger = new Ledger();
        ledger.Reserve(4, 0);
        ledger.Accepted(0, valid: true);
        ledger.Accepted(1, valid: true);
        ledger.Received(0);
        ledger.Received(1);
        ledger.NotSent(2);
        ledger.NotSent(3);

        Assert.True(ledger.Complete(expectNotices: false));
        var verdict = ledger.Verdict(expectNotices: false);
        Assert.Equal(2, verdict.NotSent);
        Assert.Equal(0, verdict.Refused);
        Assert.Equal(0, verdict.Lost);
        Assert.True(verdict.Passed);
    }

    [Fact]
    public void AnAcceptedMessageNobodyReceivedIsLostAndFailsTheRun()
    {
        var ledger = DeliveredOnce(2);
        ledger.Reserve(1, 0);
        ledger.Accepted(2, valid: true);

        Assert.False(ledger.Complete(expectNotices: false));
        var verdict = ledger.Verdict(expectNotices: false);
        Assert.Equal(1, verdict.Lost);
        Assert.False(verdict.Passed);
    }

    private static Ledger DeliveredOnce(int count)
    {
        var ledger = new Ledger();
        ledger.Reserve(count, 0);
        for (var seq = 0; seq < count; seq++)
        {
            ledger.Accepted(seq, valid: true);
            ledger.Received(seq);
        }
        return ledger;
    }
}
