using System.Collections.Concurrent;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;

namespace Pix.Tests.Storage;

/// <summary>
/// The storage port's contract. Every adapter runs these same tests through a subclass that only says how to
/// create (and reopen) the store.
/// </summary>
public abstract class QueueStoreContract : IAsyncLifetime
{
    protected static readonly Ispb Receiver = Ispb.Parse("12345678");
    protected static readonly Ispb Sender = Ispb.Parse("87654321");

    private readonly List<IQueueStore> _stores = new();

    protected abstract IQueueStore CreateStore();

    protected IQueueStore Store { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Store = Track(CreateStore());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    protected IQueueStore Track(IQueueStore store)
    {
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task AppendGivesEachMessageItsOwnId()
    {
        var outcomes = await Append(Store, Receiver, 5);
        Assert.Equal(5, outcomes.Count);
        Assert.Equal(5, outcomes.Select(o => o.Id).Distinct().Count());
        Assert.All(outcomes, o => Assert.False(o.Duplicate));
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
        await Store.AppendAsync(batch);
        Assert.False(batch.Outcomes[0].Duplicate);
        Assert.True(batch.Outcomes[1].Duplicate);
        Assert.Equal(batch.Outcomes[0].Id, batch.Outcomes[1].Id);

        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        Assert.Equal(ClaimStatus.Ok, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), into));
        Assert.Equal(2, into.Count);
    }

    [Fact]
    public async Task ClaimReturnsMessagesInArrivalOrderWithTheirBytes()
    {
        var outcomes = await Append(Store, Receiver, 12);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        Assert.Equal(ClaimStatus.Ok, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), into));
        Assert.Equal(10, into.Count);
        Assert.Equal(1u, into.Batch);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(outcomes[i].Id, into[i].Id);
            Assert.Equal(PayloadText(i), ReadText(Store, into[i]));
        }
    }

    [Fact]
    public async Task AcknowledgedMessagesAreNeverDeliveredAgain()
    {
        var outcomes = await Append(Store, Receiver, 15);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), into);
        Assert.Equal(ClaimStatus.Ok, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 2, true, 10), into));
        Assert.Equal(2u, into.Batch);
        Assert.Equal(outcomes.Skip(10).Select(o => o.Id), into.Items.ToArray().Select(m => m.Id));
        Assert.True(await Store.CloseStreamAsync(Receiver, stream, acknowledge: true));

        var other = await Open(Store, Receiver);
        await Store.ClaimAsync(new ClaimRequest(Receiver, other, 1, false, 10), into);
        Assert.Equal(0, into.Count);
        Assert.Equal(0, Store.Stats(Receiver).Unacknowledged);
    }

    [Fact]
    public async Task RepeatedReadReturnsTheSameBatch()
    {
        await Append(Store, Receiver, 3);
        var stream = await Open(Store, Receiver);
        var first = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), first);
        await Append(Store, Receiver, 3, prefix: "later");
        var again = new MessageBatch();
        Assert.Equal(ClaimStatus.Ok, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), again));
        Assert.Equal(first.Items.ToArray().Select(m => m.Id), again.Items.ToArray().Select(m => m.Id));
        Assert.True(Store.TryGetStream(Receiver, stream, out var position));
        Assert.Equal(new StreamPosition(1, 3), position);
    }

    [Fact]
    public async Task ClosingWithoutAcknowledgingReleasesTheBatchToTheHeadOfTheQueue()
    {
        var outcomes = await Append(Store, Receiver, 4);
        var first = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, first, 1, false, 2), into);
        Assert.Equal(2, into.Count);
        Assert.True(await Store.CloseStreamAsync(Receiver, first, acknowledge: false));

        var second = await Open(Store, Receiver);
        await Store.ClaimAsync(new ClaimRequest(Receiver, second, 1, false, 10), into);
        Assert.Equal(outcomes.Select(o => o.Id), into.Items.ToArray().Select(m => m.Id));
    }

    [Fact]
    public async Task StaleAndGoneAreToldApart()
    {
        await Append(Store, Receiver, 3);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 1), into);
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 2, true, 1), into);
        Assert.Equal(ClaimStatus.Stale, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 1), into));
        Assert.Equal(ClaimStatus.Stale, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 2, true, 1), into));
        Assert.Equal(ClaimStatus.Gone, await Store.ClaimAsync(new ClaimRequest(Receiver, stream + 1000, 1, false, 1), into));
        Assert.Equal(ClaimStatus.Gone, await Store.ClaimAsync(new ClaimRequest(Ispb.Parse("00000001"), stream, 1, false, 1), into));
        Assert.True(await Store.CloseStreamAsync(Receiver, stream, acknowledge: true));
        Assert.Equal(ClaimStatus.Gone, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 3, true, 1), into));
        Assert.False(await Store.CloseStreamAsync(Receiver, stream, acknowledge: true));
        Assert.False(Store.TryGetStream(Receiver, stream, out _));
    }

    [Fact]
    public async Task SixStreamsAtMostPerIspb()
    {
        var streams = new List<ulong>();
        for (var i = 0; i < 6; i++) streams.Add(await Open(Store, Receiver));
        Assert.False((await Store.OpenStreamAsync(Receiver, 6)).Opened);
        Assert.True((await Store.OpenStreamAsync(Sender, 6)).Opened);
        Assert.Equal(7, Store.OpenStreams().Count);
        await Store.CloseStreamAsync(Receiver, streams[0], acknowledge: true);
        Assert.True((await Store.OpenStreamAsync(Receiver, 6)).Opened);
    }

    [Fact]
    public async Task StatsCountDepthUnacknowledgedAndStreams()
    {
        await Append(Store, Receiver, 7);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 3), into);
        var stats = Store.Stats(Receiver);
        Assert.Equal(4, stats.Depth);
        Assert.Equal(7, stats.Unacknowledged);
        Assert.Equal(1, stats.OpenStreams);
        Assert.True(stats.OldestUnacknowledgedAgeMs >= 0);
        Assert.Equal(default, Store.Stats(Ispb.Parse("00000002")));
    }

    [Fact]
    public async Task QuarantinedMessagesAreStoredButNeverDelivered()
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, "Q1"u8.ToArray(), "bad"u8.ToArray(), Disposition.Quarantine));
        batch.Add(Message(Receiver, "OK1", "good"));
        await Store.AppendAsync(batch);
        Assert.Equal(2, batch.Outcomes.Count);
        var stream = await Open(Store, Receiver);
        var into = new MessageBatch();
        await Store.ClaimAsync(new ClaimRequest(Receiver, stream, 1, false, 10), into);
        Assert.Equal(1, into.Count);
        Assert.Equal(batch.Outcomes[1].Id, into[0].Id);
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
            uint batch = 1;
            var ack = false;
            while (Volatile.Read(ref done) == 0 || Store.Stats(Receiver).Depth > 0 || into.Count > 0)
            {
                Assert.Equal(ClaimStatus.Ok, await Store.ClaimAsync(new ClaimRequest(Receiver, stream, batch, ack, 10), into));
                foreach (var m in into.Items) delivered.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                if (into.Count == 0) await Task.Delay(1);
                batch++;
                ack = true;
            }
            await Store.CloseStreamAsync(Receiver, stream, acknowledge: true);
        })).ToArray();
        await Task.WhenAll(producers);
        Volatile.Write(ref done, 1);
        await Task.WhenAll(consumers);
        Assert.Equal(total, appended.Count);
        Assert.Equal(appended.OrderBy(i => i.Low), delivered.Keys.OrderBy(i => i.Low));
        Assert.All(delivered.Values, n => Assert.Equal(1, n));
        Assert.Equal(0, Store.Stats(Receiver).Unacknowledged);
    }

    protected static string PayloadText(int i, string prefix = "m") => $"<Msg>{prefix}-{i}</Msg>";

    protected static IncomingMessage Message(Ispb to, string bizMsgIdr, string payload) =>
        new(to, Sender, Encoding.ASCII.GetBytes(bizMsgIdr), Encoding.UTF8.GetBytes(payload), Disposition.Deliver);

    protected static async Task<List<AppendOutcome>> Append(IQueueStore store, Ispb to, int count, string prefix = "m")
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++) batch.Add(Message(to, $"{prefix}-{i}", PayloadText(i, prefix)));
        await store.AppendAsync(batch);
        return batch.Outcomes.ToList();
    }

    protected static async Task<AppendOutcome> AppendOne(IQueueStore store, Ispb to, string bizMsgIdr, string payload)
    {
        var batch = new AppendBatch();
        batch.Add(Message(to, bizMsgIdr, payload));
        await store.AppendAsync(batch);
        return batch.Outcomes[0];
    }

    protected static async Task<ulong> Open(IQueueStore store, Ispb ispb)
    {
        var result = await store.OpenStreamAsync(ispb, 6);
        Assert.True(result.Opened);
        return result.StreamId;
    }

    protected static string ReadText(IQueueStore store, in StoredMessage message)
    {
        var bytes = new byte[message.Length];
        Assert.True(store.TryReadPayload(message, bytes));
        return Encoding.UTF8.GetString(bytes);
    }
}
