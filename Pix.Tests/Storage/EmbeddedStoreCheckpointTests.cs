using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Storage.Simulation;

namespace Pix.Tests.Storage;

/// <summary>Checkpoints are marked under the state lock and written off it while requests go on: a power cut at
/// any moment recovers from such a checkpoint plus the log after it, with no change counted twice.</summary>
public sealed class EmbeddedStoreCheckpointTests
{
    private const string DataDir = "/sim/data";
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    // The last one never reads: its queue changes only by appends.
    private static readonly Ispb[] Receivers = [Ispb.Parse("10000001"), Ispb.Parse("10000002"), Ispb.Parse("10000003"), Ispb.Parse("10000004")];

    private static EmbeddedQueueStore Open(SimulatedDisk disk) => new(new EmbeddedStoreOptions
    {
        DataDir = DataDir,
        Files = disk,
        // A checkpoint after every group: each one races with the appends, claims and closes of the others.
        CheckpointBytes = 1,
        SegmentBytes = 32 * 1024,
        DedupCacheBytes = 16 * 1024,
        Logger = new RecordingLogger(),
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task APowerCutWhileCheckpointsRaceWithRequestsRecoversEveryQueueWithNothingTwice(int seed)
    {
        var random = new Random(seed);
        var disk = new SimulatedDisk(TimeProvider.System, "/sim", DataDir);
        var store = Open(disk);
        using var stop = new CancellationTokenSource();
        var work = Enumerable.Range(0, 4).Select(a => Task.Run(() => AppendLoop(store, seed * 10 + a, stop.Token))).ToList();
        work.AddRange(Receivers[..^1].Select(r => Task.Run(() => ReadLoop(store, r, stop.Token))));

        // Let checkpoints and requests overlap for a while, then cut the power wherever things are.
        var checkpoints = 20 + random.Next(60);
        while (store.Checkpoints.Checkpoints < checkpoints && work.All(t => !t.IsCompleted)) await Task.Delay(5);
        var after = disk.PowerCut(random);
        stop.Cancel();
        await Task.WhenAll(work);
        await store.DisposeAsync();
        Assert.True(store.Checkpoints.Checkpoints >= checkpoints, $"only {store.Checkpoints.Checkpoints} checkpoints");

        // Opens (a claim replayed onto a message the checkpoint did not hold would stop it), and no message is in a
        // queue twice (a change both in the checkpoint and in the log after it would be).
        var ids = new List<ResourceId>();
        await using (var recovered = Open(after))
        {
            foreach (var receiver in Receivers) ids.AddRange(recovered.Unacknowledged(receiver).Select(m => m.Id));
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // The shutdown checkpoint of the recovered store holds the same queues.
        await using (var again = Open(after))
        {
            Assert.Equal(ids, Receivers.SelectMany(r => again.Unacknowledged(r)).Select(m => m.Id));
        }
    }

    // Appends keep arriving whatever the writer is doing (up to 20 in flight), so the groups that take checkpoints
    // hold messages too: with every caller waiting for the same group, a checkpoint's group would hold none.
    private static async Task AppendLoop(IQueueStore store, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var inFlight = new List<Task>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var batch = new AppendBatch();
            var count = 1 + random.Next(10);
            for (var m = 0; m < count; m++)
            {
                batch.Add(new IncomingMessage(Receivers[random.Next(Receivers.Length)], Sender, Encoding.ASCII.GetBytes($"s{seed}-{i}-{m}"),
                    Encoding.UTF8.GetBytes($"<Msg>{seed}-{i}-{m}</Msg>"), Disposition.Deliver));
            }
            inFlight.Add(store.AppendAsync(batch).AsTask());
            inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            if (inFlight.Any(t => t.IsFaulted)) break;
            if (inFlight.Count >= 20) await Task.WhenAny(inFlight);
            else await Task.Yield();
        }
        foreach (var task in inFlight) await Survives(() => task);
    }

    private static async Task ReadLoop(IQueueStore store, Ispb receiver, CancellationToken stop)
    {
        var batch = new MessageBatch();
        var random = new Random(receiver.GetHashCode());
        while (!stop.IsCancellationRequested)
        {
            var cursor = new StoreCursor(store, receiver);
            if (!await Survives(() => cursor.OpenAsync(maxStreams: 64))) return;
            for (var reads = random.Next(1, 8); reads > 0 && !stop.IsCancellationRequested; reads--)
            {
                if (!await Survives(() => cursor.NextAsync(batch, max: 1 + random.Next(10)))) return;
            }
            if (!await Survives(() => cursor.CloseAsync(acknowledge: random.Next(2) == 0))) return;
        }
    }

    // After the cut every call fails: the loop ends.
    private static async Task<bool> Survives(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception e) when (e is StoreUnavailableException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
