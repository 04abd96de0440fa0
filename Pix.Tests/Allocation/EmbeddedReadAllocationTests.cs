using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Storage;

namespace Pix.Tests.Allocation;

/// <summary>The embedded store's read of a 10-message batch from the disk (the span read into a pooled buffer, the
/// copies, the CRCs) allocates nothing once warm. A repeated read changes nothing durable, so it completes on this
/// thread and the per-thread counter sees all of it.</summary>
[Collection(AllocationCollection.Name)]
public sealed class EmbeddedReadAllocationTests
{
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");

    [Fact]
    public async Task ARepeatedTenMessageReadFromTheLogAllocatesNothing()
    {
        using var directory = new TemporaryDirectory();
        await using var store = new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = directory.Path, Logger = new RecordingLogger() });
        var append = new AppendBatch();
        for (var i = 0; i < 10; i++)
        {
            append.Add(new IncomingMessage(Receiver, Sender, Encoding.ASCII.GetBytes($"m-{i}"), Encoding.UTF8.GetBytes($"<Msg>m-{i}</Msg>" + new string(' ', 1800)), Disposition.Deliver));
        }
        await store.AppendAsync(append);
        var cursor = new StoreCursor(store, Receiver);
        await cursor.OpenAsync();
        var batch = new MessageBatch();
        await cursor.NextAsync(batch);
        var repeat = new ReadRequest(Receiver, cursor.StreamId, cursor.Token - 1, ReadMode.Advance, MessageBatch.Capacity, 1, StoreCursor.LongTimes);

        AllocationMeter.AssertNone(() =>
        {
            var read = store.ReadAsync(repeat, batch);
            Assert.True(read.IsCompletedSuccessfully);
            return read.Result;
        });
        Assert.Equal(10, batch.Count);
        Assert.Equal(0, batch.DamagedCount);
    }
}
