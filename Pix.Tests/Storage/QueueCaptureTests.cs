using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>A checkpoint marks a queue under the store's state lock and writes it later, off the lock: what it
/// writes is the queue as it stood at the mark, whatever changed in between.</summary>
public sealed class QueueCaptureTests
{
    private static readonly StreamTimes Times = new(60_000, 60_000);

    [Fact]
    public void ChangesAfterTheMarkAreNotInTheCaptureButAreInTheQueue()
    {
        var queue = new IspbQueue();
        for (var i = 0; i < 40; i++) Append(queue, i);
        Assert.True(queue.TryOpen(7, 6, 0, Times));
        Assert.True(queue.TryOpen(8, 6, 0, Times));
        queue.RestoreClaim(7, 1, acknowledgePrevious: false, [1, 2, 3]);
        var atMark = QueueSnapshots.Of(queue);

        queue.RequestCapture();
        // Every kind of change a request or the writer makes: appends, a claim, a close that acknowledges, a move
        // (compaction), a stream opened, idle streams expired.
        for (var i = 40; i < 45; i++) Append(queue, i);
        queue.RestoreClaim(8, 1, acknowledgePrevious: false, [4, 5]);
        Assert.True(queue.Close(7, acknowledge: true));
        Assert.True(queue.TryMove(IdOf(10), 987_654));
        Assert.True(queue.TryOpen(9, 6, 0, Times));
        queue.ExpireIdle(Ispb.Parse("12345678"), long.MaxValue, []);
        var afterChanges = QueueSnapshots.Of(queue);

        Assert.Equal(atMark, QueueSnapshots.Of(queue.TakeCapture()));
        Assert.NotEqual(atMark, afterChanges);
        // Taken: the next change copies nothing, and a capture without changes is the queue as it is.
        Append(queue, 45);
        queue.RequestCapture();
        Assert.Equal(QueueSnapshots.Of(queue), QueueSnapshots.Of(queue.TakeCapture()));
    }

    [Fact]
    public void ACancelledCaptureLeavesNothingBehind()
    {
        var queue = new IspbQueue();
        Append(queue, 0);
        queue.RequestCapture();
        queue.CancelCapture();
        Append(queue, 1);
        queue.RequestCapture();
        Assert.Equal(QueueSnapshots.Of(queue), QueueSnapshots.Of(queue.TakeCapture()));
    }

    private static ResourceId IdOf(int i) => new(0x5049_0100_0000_0001, 0x0203_0405_0607_0809, (ulong)i + 1);

    private static void Append(IspbQueue queue, int i) =>
        queue.Append(new StoredMessage(IdOf(i), queue.NextSequence, 1_000 + i * 100L, 90 + i, 1_700_000_000_000 + i));

}
