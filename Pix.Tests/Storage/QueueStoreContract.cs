using System.Collections.Concurrent;
using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;

namespace Pix.Tests.Storage;

/// <summary>
/// The storage port's contract. Every adapter (memory, embedded, Redis) runs these same tests through a subclass
/// that only says how to create the store. Times are real and short (leases and idle deadlines of a few hundred
/// milliseconds), so a remote store with its own clock runs them unchanged.
/// </summary>
public abstract class QueueStoreContract : IAsyncLifetime
{
    protected static readonly Ispb Receiver = Ispb.Parse("12345678");
    protected static readonly Ispb Other = Ispb.Parse("23456789");
    protected static readonly Ispb Sender = Ispb.Parse("87654321");
    protected static readonly StreamTimes Long = StoreCursor.LongTimes;

    private static long _leases = 1_000_000;
    private readonly List<IQueueStore> _stores = new();

    /// <summary>A fresh, empty store (each call its own) keeping quarantined messages within <paramref name="quarantine"/>.</summary>
    protected abstract IQueueStore CreateStore(QuarantineLimits quarantine);

    protected IQueueStore CreateStore() => CreateStore(QuarantineLimits.Default);

    protected IQueueStore Store { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Store = Track(CreateStore());
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    protected IQueueStore Track(IQueueStore store)
    {
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task AFreshStoreIsHealthy()
    {
        Assert.True(Store.Health.Healthy, Store.Health.Reason);
        Assert.Equal(default, await Store.StatsAsync(Ispb.Parse("00000002")));
    }

    [Fact]
    public async Task AppendGivesEachMessageItsOwnId()
    {
        var outcomes = await Append(Store, Receiver, 5);
        Assert.Equal(5, outcomes.Count);
        Assert.Equal(5, outcomes.Select(o => o.Id).Distinct().Count());
        Assert.All(outcomes, o => Assert.False(o.Duplicate));
        Assert.All(outcomes, o => Assert.StartsWith("UEkB", o.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task DuplicateFromAndBizMsgIdrReturnsTheOriginalId()
    {
        var first = await AppendOne(Store, Receiver, "M1", "a");
        var again = await AppendOne(Store, Receiver, "M1", "a (sent twice)");
        Assert.True(again.Duplicate);
        Assert.Equal(first.Id, again.Id);

        var batch = new AppendBatch();
        batch.Add(Message(Receiver, "M2", "b"));
        batch.Add(Message(Receiver, "M2", "b again in the same request"));
        Assert.Equal(AppendStatus.Stored, await Store.AppendAsync(batch));
        Assert.False(batch.Outcomes[0].Duplicate);
        Assert.True(batch.Outcomes[1].Duplicate);
        Assert.Equal(batch.Outcomes[0].Id, batch.Outcomes[1].Id);

        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(into));
        Assert.Equal(["a", "b"], Texts(into));
    }

    [Fact]
    public async Task ARequestToSeveralReceiversCanBeRetriedAsAWhole()
    {
        var batch = new AppendBatch();
        batch.Add(Message(Receiver, "R1", "to the receiver"));
        batch.Add(Message(Other, "R2", "to the other"));
        batch.Add(Message(Receiver, "R3", "to the receiver again"));
        await Store.AppendAsync(batch);
        var first = batch.Outcomes.ToList();
        await Store.AppendAsync(batch);
        Assert.All(batch.Outcomes, o => Assert.True(o.Duplicate));
        Assert.Equal(first.Select(o => o.Id), batch.Outcomes.Select(o => o.Id));
        Assert.Equal(2, (await Store.StatsAsync(Receiver)).Unacknowledged);
        Assert.Equal(1, (await Store.StatsAsync(Other)).Unacknowledged);
    }

    [Fact]
    public async Task ReadReturnsMessagesInArrivalOrderWithTheirBytes()
    {
        var outcomes = await Append(Store, Receiver, 12);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(into));
        Assert.Equal(10, into.Count);
        Assert.Equal(1u, into.Batch);
        Assert.Equal(1u, stream.Token);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(outcomes[i].Id, into[i].Id);
            Assert.False(into.IsDamaged(i));
            Assert.Equal(PayloadText(i), Encoding.UTF8.GetString(into.Payload(i)));
        }
    }

    [Fact]
    public async Task AcknowledgedMessagesAreNeverDeliveredAgain()
    {
        var outcomes = await Append(Store, Receiver, 15);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await stream.NextAsync(into);
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(into));
        Assert.Equal(2u, into.Batch);
        Assert.Equal(outcomes.Skip(10).Select(o => o.Id), Ids(into));
        Assert.Equal(ReadStatus.Ok, await stream.CloseAsync(acknowledge: true));

        var other = await Open(Store, Receiver);
        await other.NextAsync(into);
        Assert.Equal(0, into.Count);
        Assert.Equal(0, (await Store.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task ThePreviousTokenRepeatsTheBatchWithTheSameIds()
    {
        await Append(Store, Receiver, 3);
        var stream = await Open(Store, Receiver);
        var first = new MessageBatch();
        await stream.NextAsync(first);
        await Append(Store, Receiver, 3, prefix: "later");
        var again = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(again));
        Assert.Equal(first.Batch, again.Batch);
        Assert.Equal(Ids(first), Ids(again));
        Assert.Equal(Texts(first), Texts(again));
        Assert.Equal(3, (await Store.StatsAsync(Receiver)).Depth);
    }

    [Fact]
    public async Task ClosingOnThePreviousTokenPutsTheBatchBackAtTheHeadOfTheQueue()
    {
        var outcomes = await Append(Store, Receiver, 4);
        var first = await Open(Store, Receiver);
        var into = new MessageBatch();
        await first.NextAsync(into, max: 2);
        Assert.Equal(2, into.Count);
        Assert.Equal(ReadStatus.Ok, await first.CloseAsync(acknowledge: false));

        var second = await Open(Store, Receiver);
        await second.NextAsync(into);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
    }

    [Fact]
    public async Task OlderTokensUnknownStreamsAndClosedStreamsAreGone()
    {
        await Append(Store, Receiver, 3);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await stream.NextAsync(into, max: 1);
        await stream.NextAsync(into, max: 1);
        await stream.NextAsync(into, max: 1);
        Assert.Equal(3u, stream.Token);
        Assert.Equal(ReadStatus.Gone, (await Read(Receiver, stream.StreamId, 1, ReadMode.Advance, into)).Status);
        Assert.Equal(ReadStatus.Gone, (await Read(Receiver, stream.StreamId + 1000, 3, ReadMode.Advance, into)).Status);
        Assert.Equal(ReadStatus.Gone, (await Read(Ispb.Parse("00000001"), stream.StreamId, 3, ReadMode.Advance, into)).Status);
        Assert.Equal(ReadStatus.Gone, (await Store.CloseStreamAsync(new CloseRequest(Receiver, stream.StreamId, 1))).Status);
        Assert.Equal(ReadStatus.Ok, await stream.CloseAsync(acknowledge: true));
        Assert.Equal(ReadStatus.Gone, await stream.NextAsync(into));
        Assert.Equal(ReadStatus.Gone, await stream.CloseAsync(acknowledge: true));
    }

    [Fact]
    public async Task SixStreamsAtMostPerIspb()
    {
        var streams = new List<StoreCursor>();
        for (var i = 0; i < 6; i++) streams.Add(await Open(Store, Receiver));
        Assert.False((await Store.OpenStreamAsync(Receiver, 6, Long)).Opened);
        Assert.True((await Store.OpenStreamAsync(Sender, 6, Long)).Opened);
        Assert.Equal(6, (await Store.StatsAsync(Receiver)).OpenStreams);
        Assert.Equal(ReadStatus.Ok, await streams[0].CloseAsync(acknowledge: true));
        Assert.True((await Store.OpenStreamAsync(Receiver, 6, Long)).Opened);
    }

    [Fact]
    public async Task StatsCountDepthUnacknowledgedAndStreams()
    {
        await Append(Store, Receiver, 7);
        var stream = await Open(Store, Receiver);
        await stream.NextAsync(new MessageBatch(), max: 3);
        var stats = await Store.StatsAsync(Receiver);
        Assert.Equal(4, stats.Depth);
        Assert.Equal(7, stats.Unacknowledged);
        Assert.Equal(1, stats.OpenStreams);
        Assert.True(stats.OldestUnacknowledgedAgeMs >= 0);
        Assert.Contains(Receiver, await Store.ParticipantsAsync());
    }

    [Fact]
    public async Task QuarantinedMessagesAreStoredButNeverDelivered()
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, "Q1"u8.ToArray(), "bad"u8.ToArray(), Disposition.Quarantine));
        batch.Add(Message(Receiver, "OK1", "good"));
        await Store.AppendAsync(batch);
        Assert.Equal(2, batch.Outcomes.Count);
        Assert.NotEqual(batch.Outcomes[0].Id, batch.Outcomes[1].Id);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await stream.NextAsync(into);
        Assert.Equal([batch.Outcomes[1].Id], Ids(into));
    }

    [Fact]
    public async Task AQuarantinedOriginalDoesNotSwallowItsCorrectedResend()
    {
        var bad = new AppendBatch();
        bad.Add(new IncomingMessage(Receiver, Sender, "FIX1"u8.ToArray(), "broken"u8.ToArray(), Disposition.Quarantine));
        await Store.AppendAsync(bad);
        var fixedOne = await AppendOne(Store, Receiver, "FIX1", "corrected");
        Assert.False(fixedOne.Duplicate);
        Assert.NotEqual(bad.Outcomes[0].Id, fixedOne.Id);
        // The delivered one now holds the key.
        Assert.Equal(fixedOne.Id, (await AppendOne(Store, Receiver, "FIX1", "corrected, sent twice")).Id);
        var into = new MessageBatch();
        await (await Open(Store, Receiver)).NextAsync(into);
        Assert.Equal(["corrected"], Texts(into));
    }

    [Fact]
    public async Task AReceiverAtItsBacklogLimitTakesNothingUntilItsStreamsCatchUp()
    {
        await Append(Store, Receiver, 3);
        var batch = new AppendBatch { MaxBacklog = 3 };
        batch.Add(Message(Receiver, "over", "one too many"));
        Assert.Equal(AppendStatus.Backlogged, await Store.AppendAsync(batch));
        Assert.Equal(3, (await Store.StatsAsync(Receiver)).Unacknowledged);

        var toOther = new AppendBatch { MaxBacklog = 3 };
        toOther.Add(Message(Other, "elsewhere", "another receiver flows"));
        Assert.Equal(AppendStatus.Stored, await Store.AppendAsync(toOther));

        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await stream.NextAsync(into);
        await stream.NextAsync(into);
        Assert.Equal(AppendStatus.Stored, await Store.AppendAsync(batch));
        Assert.False(batch.Outcomes[0].Duplicate);
    }

    [Fact]
    public async Task AnEmptyReadHoldsTheLeaseSoOtherRequestsAreBusyUntilItLetsGo()
    {
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        var parked = await Read(Receiver, stream.StreamId, 0, ReadMode.Advance, into, lease: 11);
        Assert.Equal(new StreamReadResult(ReadStatus.Ok, 1), parked);
        Assert.Equal(0, into.Count);

        // A second request on the stream (the client's retry, or a duplicate), on this node or another: 409.
        Assert.Equal(ReadStatus.Busy, (await Read(Receiver, stream.StreamId, 0, ReadMode.Advance, into, lease: 12)).Status);
        Assert.Equal(ReadStatus.Busy, (await Read(Receiver, stream.StreamId, 1, ReadMode.Advance, into, lease: 12)).Status);
        Assert.Equal(ReadStatus.Busy, (await Store.CloseStreamAsync(new CloseRequest(Receiver, stream.StreamId, 1))).Status);

        // The parked request is woken by an append and fills the batch it advanced to, then lets go.
        var outcomes = await Append(Store, Receiver, 2);
        var filled = await Read(Receiver, stream.StreamId, 1, ReadMode.Fill, into, lease: 11);
        Assert.Equal(new StreamReadResult(ReadStatus.Ok, 1), filled);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
        Assert.Equal(ReadStatus.Ok, (await Read(Receiver, stream.StreamId, 0, ReadMode.Advance, into, lease: 13)).Status);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
    }

    [Fact]
    public async Task AReaderThatLeftReleasesItsLeaseWithoutClaiming()
    {
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Read(Receiver, stream.StreamId, 0, ReadMode.Advance, into, lease: 21);
        var outcomes = await Append(Store, Receiver, 1);
        Assert.Equal(ReadStatus.Ok, (await Read(Receiver, stream.StreamId, 1, ReadMode.Release, into, lease: 21)).Status);
        Assert.Equal(0, into.Count);
        Assert.Equal(1, (await Store.StatsAsync(Receiver)).Depth);

        var other = await Open(Store, Receiver);
        await other.NextAsync(into);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
    }

    [Fact]
    public async Task TheLastTryOfAParkedReadLetsGoOfTheLeaseEvenWhenEmpty()
    {
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Read(Receiver, stream.StreamId, 0, ReadMode.Advance, into, lease: 31);
        Assert.Equal(new StreamReadResult(ReadStatus.Ok, 1), await Read(Receiver, stream.StreamId, 1, ReadMode.FillAndRelease, into, lease: 31));
        Assert.Equal(0, into.Count);
        // The 204 carried token 1; it is current now, and no lease is in the way.
        Assert.Equal(new StreamReadResult(ReadStatus.Ok, 2), await Read(Receiver, stream.StreamId, 1, ReadMode.Advance, into, lease: 32));
    }

    [Fact]
    public async Task ALeaseLastsItsTimeAndNoLonger()
    {
        var shortLease = new StreamTimes(200, 60_000);
        var opened = await Store.OpenStreamAsync(Receiver, 6, shortLease);
        var into = new MessageBatch();
        await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 0, ReadMode.Advance, 10, 41, shortLease), into);
        Assert.Equal(ReadStatus.Busy, (await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 1, ReadMode.Advance, 10, 42, shortLease), into)).Status);
        // The node holding it died: the stream is usable again once the lease ran out.
        await Task.Delay(600);
        Assert.Equal(ReadStatus.Ok, (await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 1, ReadMode.Advance, 10, 42, shortLease), into)).Status);
    }

    [Fact]
    public async Task EmptyCyclesNeedNotBeRememberedSoALaterTokenOnAnEmptyBatchIsCurrent()
    {
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await stream.NextAsync(into);
        Assert.Equal(1u, stream.Token);
        var outcomes = await Append(Store, Receiver, 1);
        // A token the store never saw (advanced over empty batches before a crash) is current while the batch is empty.
        var read = await Read(Receiver, stream.StreamId, 7, ReadMode.Advance, into);
        Assert.Equal(new StreamReadResult(ReadStatus.Ok, 8), read);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
        // Once the batch holds messages, only its own token and the previous one count.
        Assert.Equal(ReadStatus.Gone, (await Read(Receiver, stream.StreamId, 9, ReadMode.Advance, into)).Status);
        Assert.Equal(ReadStatus.Gone, (await Read(Receiver, stream.StreamId, 6, ReadMode.Advance, into)).Status);
        Assert.Equal(ReadStatus.Ok, (await Read(Receiver, stream.StreamId, 7, ReadMode.Advance, into)).Status);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
    }

    [Fact]
    public async Task AnIdleStreamExpiresOnceAndItsBatchGoesBackToTheHead()
    {
        var outcomes = await Append(Store, Receiver, 3);
        var idle = new StreamTimes(60_000, 300);
        var opened = await Store.OpenStreamAsync(Receiver, 6, idle);
        var into = new MessageBatch();
        await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 0, ReadMode.Advance, 2, 51, idle), into);
        Assert.Equal(2, into.Count);
        var expired = new List<ExpiredStream>();
        await Store.ExpireIdleAsync(expired);
        Assert.DoesNotContain(expired, e => e.StreamId == opened.StreamId);

        await Task.Delay(700);
        var second = new List<ExpiredStream>();
        await Task.WhenAll(Store.ExpireIdleAsync(expired).AsTask(), Store.ExpireIdleAsync(second).AsTask());
        Assert.Equal([new ExpiredStream(Receiver, opened.StreamId, 2)], expired.Concat(second).Where(e => e.StreamId == opened.StreamId));
        Assert.Equal(ReadStatus.Gone, (await Read(Receiver, opened.StreamId, 1, ReadMode.Advance, into)).Status);
        Assert.Equal(0, (await Store.StatsAsync(Receiver)).OpenStreams);

        var next = await Open(Store, Receiver);
        await next.NextAsync(into);
        Assert.Equal(outcomes.Select(o => o.Id), Ids(into));
    }

    [Fact]
    public async Task AStreamInUseIsNotExpired()
    {
        var times = new StreamTimes(60_000, 300);
        var opened = await Store.OpenStreamAsync(Receiver, 6, times);
        var into = new MessageBatch();
        // A parked request holds the lease past the idle time: no node may expire the stream under it.
        await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 0, ReadMode.Advance, 10, 61, times), into);
        await Task.Delay(700);
        var expired = new List<ExpiredStream>();
        await Store.ExpireIdleAsync(expired);
        Assert.DoesNotContain(expired, e => e.StreamId == opened.StreamId);
        // Each use pushes the deadline: a stream read just before the sweep survives it.
        await Store.ReadAsync(new ReadRequest(Receiver, opened.StreamId, 1, ReadMode.FillAndRelease, 10, 61, times), into);
        await Store.ExpireIdleAsync(expired);
        Assert.DoesNotContain(expired, e => e.StreamId == opened.StreamId);
        Assert.Equal(1, (await Store.StatsAsync(Receiver)).OpenStreams);
    }

    [Fact]
    public async Task QuarantinedMessagesAreListedReadAndDeliveredByAnOperatorUnderTheirOwnIds()
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, "QX1"u8.ToArray(), "<bad>1</bad>"u8.ToArray(), Disposition.Quarantine));
        batch.Add(new IncomingMessage(Other, Sender, "QX2"u8.ToArray(), "<bad>2</bad>"u8.ToArray(), Disposition.Quarantine));
        await Store.AppendAsync(batch);
        var (first, second) = (batch.Outcomes[0].Id, batch.Outcomes[1].Id);

        var listed = new List<QuarantinedMessage>();
        await Store.ListQuarantinedAsync(Sender, 0, 10, listed);
        Assert.Equal([first, second], listed.Select(m => m.Id));
        Assert.Equal([Receiver, Other], listed.Select(m => m.To));
        Assert.All(listed, m => Assert.Equal(Sender, m.From));
        Assert.Equal(12, listed[0].Length);
        listed.Clear();
        await Store.ListQuarantinedAsync(Receiver, 0, 10, listed);
        Assert.Empty(listed);

        Assert.Equal(Sender, (await Store.FindQuarantinedAsync(second))!.Value.From);
        Assert.Null(await Store.FindQuarantinedAsync(batch.Outcomes[0].Id with { Low = 999_999 }));
        Assert.Equal("<bad>1</bad>"u8.ToArray(), await Store.ReadQuarantinedAsync(Sender, first));
        Assert.Null(await Store.ReadQuarantinedAsync(Other, first));

        var delivered = await Store.DeliverQuarantinedAsync(Sender, first, "QX1"u8.ToArray());
        Assert.Equal(new QuarantineDelivery(QuarantineDeliveryStatus.Delivered, first, Receiver), delivered);
        Assert.Equal(QuarantineDeliveryStatus.NotFound, (await Store.DeliverQuarantinedAsync(Sender, first, "QX1"u8.ToArray())).Status);
        Assert.Null(await Store.FindQuarantinedAsync(first));
        var into = new MessageBatch();
        await (await Open(Store, Receiver)).NextAsync(into);
        Assert.Equal([first], Ids(into));
        Assert.Equal(["<bad>1</bad>"], Texts(into));
        // Delivered, it holds its dedup key like any message that reached a queue.
        Assert.Equal(first, (await AppendOne(Store, Receiver, "QX1", "again")).Id);

        // A corrected resend reached the receiver first: delivering the quarantined one would deliver it twice.
        var resend = await AppendOne(Store, Other, "QX2", "<good>2</good>");
        var duplicate = await Store.DeliverQuarantinedAsync(Sender, second, "QX2"u8.ToArray());
        Assert.Equal(new QuarantineDelivery(QuarantineDeliveryStatus.Duplicate, resend.Id, Other), duplicate);
        Assert.Null(await Store.FindQuarantinedAsync(second));
    }

    [Fact]
    public async Task QuarantineKeepsAtMostTheQuotaPerSenderDroppingTheOldestFirst()
    {
        var store = Track(CreateStore(new QuarantineLimits(TimeSpan.FromDays(30), 3)));
        var ids = new List<ResourceId>();
        for (var i = 0; i < 5; i++)
        {
            var batch = new AppendBatch();
            batch.Add(new IncomingMessage(Receiver, Sender, default, Encoding.UTF8.GetBytes($"<bad>{i}</bad>"), Disposition.Quarantine));
            await store.AppendAsync(batch);
            ids.Add(batch.Outcomes[0].Id);
        }
        var other = new AppendBatch();
        other.Add(new IncomingMessage(Receiver, Other, default, "<bad>other</bad>"u8.ToArray(), Disposition.Quarantine));
        await store.AppendAsync(other);
        var listed = new List<QuarantinedMessage>();
        await store.ListQuarantinedAsync(Sender, 0, 10, listed);
        Assert.Equal(ids.Skip(2), listed.Select(m => m.Id));
        Assert.Null(await store.ReadQuarantinedAsync(Sender, ids[0]));
        listed.Clear();
        await store.ListQuarantinedAsync(Other, 0, 10, listed);
        Assert.Single(listed);
    }

    [Fact]
    public async Task QuarantineKeepsMessagesForItsRetentionOnly()
    {
        var store = Track(CreateStore(new QuarantineLimits(TimeSpan.FromMilliseconds(400), 100)));
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, default, "<bad>old</bad>"u8.ToArray(), Disposition.Quarantine));
        await store.AppendAsync(batch);
        var old = batch.Outcomes[0].Id;
        await Task.Delay(900);
        batch.Clear();
        batch.Add(new IncomingMessage(Receiver, Sender, default, "<bad>new</bad>"u8.ToArray(), Disposition.Quarantine));
        await store.AppendAsync(batch);
        var listed = new List<QuarantinedMessage>();
        await store.ListQuarantinedAsync(Sender, 0, 10, listed);
        Assert.Equal([batch.Outcomes[0].Id], listed.Select(m => m.Id));
        Assert.Null(await store.FindQuarantinedAsync(old));
        listed.Clear();
        await store.ListQuarantinedAsync(Sender, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000, 10, listed);
        Assert.Empty(listed);
    }

    [Fact]
    public async Task ANoticeIsStoredWithItsMessageAndSentExactlyOnce()
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, default, "unreadable"u8.ToArray(), Disposition.Quarantine));
        batch.AddNotice(new NoticeRequest(NoticeKind.Rejected, Sender, 0, default, "schema"u8.ToArray(), "/Envelope"u8.ToArray(), "rule"u8.ToArray()));
        Assert.Equal(AppendStatus.Stored, await Store.AppendAsync(batch));

        var pending = new List<PendingNotice>();
        await Store.PendingNoticesAsync(pending, 10);
        var notice = Assert.Single(pending);
        Assert.Equal(NoticeKind.Rejected, notice.Kind);
        Assert.Equal(Sender, notice.To);
        Assert.Equal(batch.Outcomes[0].Id, notice.Message);
        Assert.Empty(notice.Reference);
        Assert.Equal("schema"u8.ToArray(), notice.Reason);
        Assert.Equal("/Envelope"u8.ToArray(), notice.Location);
        Assert.Equal("rule"u8.ToArray(), notice.Description);

        // Two nodes (or a retry after a crash) may send the same entry: one copy reaches the queue.
        var sent = await Task.WhenAll(
            Store.DeliverNoticeAsync(notice, "<admi>1</admi>"u8.ToArray(), "M00038166notice000000000000000001"u8.ToArray()).AsTask(),
            Store.DeliverNoticeAsync(notice, "<admi>1</admi>"u8.ToArray(), "M00038166notice000000000000000001"u8.ToArray()).AsTask());
        Assert.Equal(1, sent.Count(s => s));
        Assert.False(await Store.DeliverNoticeAsync(notice, "<admi>1</admi>"u8.ToArray(), "M00038166notice000000000000000001"u8.ToArray()));
        pending.Clear();
        await Store.PendingNoticesAsync(pending, 10);
        Assert.Empty(pending);

        var into = new MessageBatch();
        await (await Open(Store, Sender)).NextAsync(into);
        Assert.Equal(["<admi>1</admi>"], Texts(into));
    }

    [Fact]
    public async Task ANoticeNamingNoMessageIsStoredOnItsOwn()
    {
        var batch = new AppendBatch();
        batch.AddNotice(new NoticeRequest(NoticeKind.Released, Sender, NoticeRequest.NoMessage, default, "released"u8.ToArray(), default, default));
        Assert.Equal(AppendStatus.Stored, await Store.AppendAsync(batch));
        var pending = new List<PendingNotice>();
        await Store.PendingNoticesAsync(pending, 10);
        var notice = Assert.Single(pending);
        Assert.Equal(NoticeKind.Released, notice.Kind);
        Assert.Equal(default, notice.Message);
        Assert.True(await Store.DeliverNoticeAsync(notice, "<admi>released</admi>"u8.ToArray(), "M00038166notice000000000000000002"u8.ToArray()));
        Assert.Equal(1, (await Store.StatsAsync(Sender)).Unacknowledged);
    }

    [Fact]
    public async Task CompetingStreamsDeliverEveryMessageExactlyOnce()
    {
        const int total = 600;
        var appended = new ConcurrentBag<ResourceId>();
        var delivered = new ConcurrentDictionary<ResourceId, int>();
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < total / 4 / 5; i++)
            {
                foreach (var o in await Append(Store, Receiver, 5, prefix: $"p{p}-{i}")) appended.Add(o.Id);
            }
        })).ToArray();
        var done = 0;
        var consumers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var stream = await Open(Store, Receiver);
            var into = new MessageBatch();
            while (Volatile.Read(ref done) == 0 || (await Store.StatsAsync(Receiver)).Depth > 0 || into.Count > 0)
            {
                Assert.Equal(ReadStatus.Ok, await stream.NextAsync(into));
                foreach (var m in into.Items) delivered.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                if (into.Count == 0) await Task.Delay(1);
            }
            Assert.Equal(ReadStatus.Ok, await stream.CloseAsync(acknowledge: true));
        })).ToArray();
        await Task.WhenAll(producers);
        Volatile.Write(ref done, 1);
        await Task.WhenAll(consumers);
        Assert.Equal(total, appended.Count);
        Assert.Equal(appended.OrderBy(i => i.Low), delivered.Keys.OrderBy(i => i.Low));
        Assert.All(delivered.Values, n => Assert.Equal(1, n));
        Assert.Equal(0, (await Store.StatsAsync(Receiver)).Unacknowledged);
    }

    protected static string PayloadText(int i, string prefix = "m") => $"<Msg>{prefix}-{i}</Msg>";

    protected static IncomingMessage Message(Ispb to, string bizMsgIdr, string payload) =>
        new(to, Sender, Encoding.ASCII.GetBytes(bizMsgIdr), Encoding.UTF8.GetBytes(payload), Disposition.Deliver);

    protected static async Task<List<AppendOutcome>> Append(IQueueStore store, Ispb to, int count, string prefix = "m")
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++) batch.Add(Message(to, $"{prefix}-{i}", PayloadText(i, prefix)));
        Assert.Equal(AppendStatus.Stored, await store.AppendAsync(batch));
        return batch.Outcomes.ToList();
    }

    protected static async Task<AppendOutcome> AppendOne(IQueueStore store, Ispb to, string bizMsgIdr, string payload)
    {
        var batch = new AppendBatch();
        batch.Add(Message(to, bizMsgIdr, payload));
        await store.AppendAsync(batch);
        return batch.Outcomes[0];
    }

    protected static async Task<StoreCursor> Open(IQueueStore store, Ispb ispb)
    {
        var stream = new StoreCursor(store, ispb);
        Assert.True(await stream.OpenAsync());
        return stream;
    }

    protected async Task<StreamReadResult> Read(Ispb ispb, ulong streamId, uint token, ReadMode mode, MessageBatch into, ulong lease = 0) =>
        await Store.ReadAsync(new ReadRequest(ispb, streamId, token, mode, MessageBatch.Capacity,
            lease == 0 ? (ulong)Interlocked.Increment(ref _leases) : lease, Long), into);

    protected static ResourceId[] Ids(MessageBatch batch) => batch.Items.ToArray().Select(m => m.Id).ToArray();

    protected static string[] Texts(MessageBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.Payload(i))).ToArray();
}
