using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Server.Streams;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Storage.Memory;
using Pix.Storage.Senders;
using Pix.Tests.Storage.Simulation;

namespace Pix.Tests.Storage;

/// <summary>State kept per ISPB follows live data: an ISPB with no messages and no streams is forgotten by the
/// stores, the engine and the sender gate, so a caller naming ever new ISPBs cannot grow memory forever; and a
/// release racing an append never loses the message.</summary>
public sealed class StateReleaseTests : IDisposable
{
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> Stores => new() { "memory", "embedded" };

    // Released at the first sweep that finds the queue idle (60 s in service, so a busy participant keeps its queue).
    private IQueueStore Open(string kind)
    {
        if (kind == "memory") return new MemoryQueueStore(TimeSpan.FromHours(24)) { ReleaseIdleAfter = TimeSpan.Zero };
        return new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = _directory.Path }) { ReleaseIdleAfter = TimeSpan.Zero };
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AnIspbWithNoMessagesAndNoStreamsIsForgotten(string kind)
    {
        await using var store = Open(kind);
        for (var n = 0; n < 50; n++)
        {
            // A caller names a new ISPB each time: a message, a stream that reads and acknowledges it, a close.
            var ispb = new Ispb(10_000_000 + (ulong)n);
            await Append(store, ispb, $"m{n}");
            var cursor = new StoreCursor(store, ispb);
            await cursor.OpenAsync();
            var batch = new MessageBatch();
            await cursor.NextAsync(batch);
            Assert.Equal(1, batch.Count);
            Assert.Equal(ReadStatus.Ok, await cursor.CloseAsync(acknowledge: true));
            // Or only a stream, never used, that idle expiry closes.
            await store.OpenStreamAsync(new Ispb(20_000_000 + (ulong)n), 6, new StreamTimes(0, 0));
        }
        await store.ExpireIdleAsync([]);
        Assert.Empty(await store.ParticipantsAsync());
        Assert.Equal(default, await store.StatsAsync(new Ispb(10_000_000)));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AnAppendRacingTheReleaseOfItsQueueIsNeverLost(string kind)
    {
        var ispb = Ispb.Parse("12345678");
        await using var store = Open(kind);
        var appended = new List<ResourceId>();
        var acknowledged = new List<ResourceId>();
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Run(async () =>
        {
            // The sweeps that release idle queues, as the engine's sweeper runs them.
            while (!stop.IsCancellationRequested)
            {
                await store.ExpireIdleAsync([]);
                await Task.Delay(1);
            }
        });
        var reader = Task.Run(async () =>
        {
            // Opens, drains and closes again and again: each close leaves the queue idle for a moment and releases it.
            while (!stop.IsCancellationRequested)
            {
                var cursor = new StoreCursor(store, ispb);
                await cursor.OpenAsync();
                var batch = new MessageBatch();
                await cursor.NextAsync(batch);
                var claimed = batch.Items.ToArray().Select(m => m.Id).ToList();
                if (await cursor.CloseAsync(acknowledge: true) == ReadStatus.Ok) acknowledged.AddRange(claimed);
            }
        });
        for (var i = 0; i < 400; i++) appended.AddRange(await Append(store, ispb, $"race{i}"));
        await stop.CancelAsync();
        await reader;
        await sweeper;
        var rest = new StoreCursor(store, ispb);
        await rest.OpenAsync();
        var left = new MessageBatch();
        while (await rest.NextAsync(left) == ReadStatus.Ok && left.Count > 0) acknowledged.AddRange(left.Items.ToArray().Select(m => m.Id));
        Assert.Equal(appended.OrderBy(i => i.Low), acknowledged.OrderBy(i => i.Low));
    }

    [Fact]
    public async Task TheEngineForgetsTheWaiterListOfAParticipantNobodyPollsAnyMore()
    {
        await using var store = new MemoryQueueStore(TimeSpan.FromHours(24));
        var options = new StreamOptions { LongPollSeconds = 0.01, IdleTimeoutSeconds = 0.2, SweepMilliseconds = 10 };
        await using var engine = new StreamEngine(store, options, NullLogger<StreamEngine>.Instance);
        var waiter = new LongPollWaiter();
        for (var n = 0; n < 20; n++)
        {
            var (outcome, _) = await engine.StartAsync(new Ispb(30_000_000 + (ulong)n), 10, new MessageBatch(), waiter, CancellationToken.None);
            Assert.Equal(StreamOutcome.Ok, outcome);
        }
        Assert.True(engine.WaiterListCount > 0);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (engine.WaiterListCount > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"{engine.WaiterListCount} waiter lists are still kept");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task TheSenderGateForgetsSendersWhoseBucketIsFullAndWindowEmpty()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var gate = new InProcessSenderGate(new SenderGateSettings(100, 10, 0.5, 10, 60), clock);
        for (var n = 0; n < 5000; n++) await gate.AdmitAsync(new Ispb(40_000_000 + (ulong)n), 1, 1, 0);
        Assert.True(gate.SenderCount >= 4000, $"{gate.SenderCount} senders");
        clock.Advance(TimeSpan.FromMinutes(2));
        for (var n = 0; n < 4096; n++) await gate.AdmitAsync(Sender, 0, 0, 0);
        Assert.True(gate.SenderCount <= 2, $"{gate.SenderCount} senders are still kept");
        // A forgotten sender starts again with a full bucket, as it would have had anyway.
        var first = new Ispb(40_000_000);
        for (var n = 0; n < 100; n++) Assert.True((await gate.AdmitAsync(first, 1, 1, 0)).Admitted);
        Assert.False((await gate.AdmitAsync(first, 1, 1, 0)).Admitted);
    }

    private static async Task<List<ResourceId>> Append(IQueueStore store, Ispb to, string biz)
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(to, Sender, Encoding.ASCII.GetBytes(biz), Encoding.UTF8.GetBytes($"<Msg>{biz}</Msg>"), Disposition.Deliver));
        await store.AppendAsync(batch);
        return [.. batch.Outcomes.Select(o => o.Id)];
    }
}
