using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>store-torture --data DIR --seed N</c>: hammers the embedded store with concurrent appenders and competing
/// streams until it is killed. One stdout line per event, written only after the event completed (so after its
/// fsync): <c>A id</c> appended, <c>D id</c> delivered, <c>k id</c> about to be acknowledged, <c>K id</c>
/// acknowledged. A crash test kills it (kill -9) at random moments and checks the lines against the reopened store.
/// Streams left open by a killed run are resumed with a repeated read, as a client holding their tokens would.
/// </summary>
internal static class StoreTortureCommand
{
    public static readonly Ispb[] Receivers = [Ispb.Parse("11111111"), Ispb.Parse("22222222")];
    private static readonly Ispb Sender = Ispb.Parse("99999999");
    private static readonly Lock OutputLock = new();
    private static readonly Stream Output = Console.OpenStandardOutput();

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var seed = (int)args.Number("seed", 1);
        var store = new EmbeddedQueueStore(new EmbeddedStoreOptions
        {
            DataDir = args.Required("data"),
            SegmentBytes = args.Number("segment-bytes", 256 * 1024),
            CheckpointBytes = args.Number("checkpoint-bytes", 128 * 1024),
            Retention = TimeSpan.Zero,
        });
        var seconds = args.Number("seconds", 3600);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        Write("READY\n");

        var workers = new List<Task>();
        for (var a = 0; a < 4; a++)
        {
            var appender = a;
            workers.Add(Task.Run(() => AppendLoop(store, seed, appender, stop.Token)));
        }
        foreach (var ispb in StoreTortureCommand.Receivers)
        {
            var resumed = store.OpenStreams().Where(s => s.Ispb == ispb).Select(s => s.StreamId).ToList();
            for (var s = resumed.Count; s < 3; s++) resumed.Add(0);
            var random = new Random(seed * 31 + (int)ispb.Packed);
            foreach (var streamId in resumed) workers.Add(Task.Run(() => ConsumeLoop(store, ispb, streamId, new Random(random.Next()), stop.Token)));
        }
        await Task.WhenAll(workers);
        await store.DisposeAsync();
        return 0;
    }

    private static async Task AppendLoop(IQueueStore store, int seed, int appender, CancellationToken stop)
    {
        var random = new Random(seed * 1000 + appender);
        var batch = new AppendBatch();
        var lines = new StringBuilder();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            batch.Clear();
            var count = random.Next(1, 6);
            for (var m = 0; m < count; m++)
            {
                // Now and then a message is sent twice: the store must give it its original id.
                var key = random.Next(10) == 0 && i > 0 ? $"s{seed}-a{appender}-{i - 1}-0" : $"s{seed}-a{appender}-{i}-{m}";
                var payload = new byte[random.Next(200, 2000)];
                Encoding.ASCII.GetBytes(key).CopyTo(payload, 0);
                batch.Add(new IncomingMessage(Receivers[random.Next(Receivers.Length)], Sender, Encoding.ASCII.GetBytes(key), payload, Disposition.Deliver));
            }
            try
            {
                await store.AppendAsync(batch, stop);
            }
            catch (StoreUnavailableException)
            {
                continue;
            }
            lines.Clear();
            foreach (var outcome in batch.Outcomes) lines.Append("A ").Append(outcome.Id).Append('\n');
            Write(lines.ToString());
            await Task.Delay(random.Next(0, 3), CancellationToken.None);
        }
    }

    private static async Task ConsumeLoop(IQueueStore store, Ispb ispb, ulong streamId, Random random, CancellationToken stop)
    {
        var into = new MessageBatch();
        var lines = new StringBuilder();
        uint batchNumber;
        bool acknowledge;
        if (streamId != 0 && store.TryGetStream(ispb, streamId, out var position))
        {
            batchNumber = position.Batch; // a repeated read: the batch the killed run held comes again
            acknowledge = false;
        }
        else
        {
            streamId = await OpenAsync(store, ispb, stop);
            batchNumber = 1;
            acknowledge = false;
        }
        var previous = new List<ResourceId>();
        while (!stop.IsCancellationRequested)
        {
            if (acknowledge) WriteIds('k', previous, lines);
            var status = await store.ClaimAsync(new ClaimRequest(ispb, streamId, batchNumber, acknowledge, random.Next(1, 11)), into);
            if (status != ClaimStatus.Ok) throw new InvalidOperationException($"Stream {streamId} answered {status} at batch {batchNumber}.");
            if (acknowledge) WriteIds('K', previous, lines);
            previous.Clear();
            foreach (var message in into.Items)
            {
                previous.Add(message.Id);
                CheckPayload(store, message);
            }
            WriteIds('D', previous, lines);
            if (into.Count == 0) await Task.Delay(2, CancellationToken.None);

            var dice = random.Next(40);
            if (dice == 0 || dice == 1)
            {
                // Close: acknowledging (like DELETE) or releasing (like an idle timeout), then a fresh stream.
                var ack = dice == 0;
                if (ack) WriteIds('k', previous, lines);
                await store.CloseStreamAsync(ispb, streamId, ack, CancellationToken.None);
                if (ack) WriteIds('K', previous, lines);
                previous.Clear();
                streamId = await OpenAsync(store, ispb, stop);
                batchNumber = 1;
                acknowledge = false;
                continue;
            }
            batchNumber++;
            acknowledge = true;
        }
    }

    private static async Task<ulong> OpenAsync(IQueueStore store, Ispb ispb, CancellationToken stop)
    {
        while (true)
        {
            var opened = await store.OpenStreamAsync(ispb, 6, CancellationToken.None);
            if (opened.Opened) return opened.StreamId;
            await Task.Delay(10, stop);
        }
    }

    // The payload starts with its BizMsgIdr: a wrong position would show here.
    private static void CheckPayload(IQueueStore store, in StoredMessage message)
    {
        var bytes = new byte[message.Length];
        if (!store.TryReadPayload(message, bytes) || bytes[0] != (byte)'s') throw new InvalidDataException($"Message {message.Id} reads back wrong bytes.");
    }

    private static void WriteIds(char kind, List<ResourceId> ids, StringBuilder lines)
    {
        if (ids.Count == 0) return;
        lines.Clear();
        foreach (var id in ids) lines.Append(kind).Append(' ').Append(id).Append('\n');
        Write(lines.ToString());
    }

    // One write per event group, straight to the stdout handle (no buffering): lines written survive the kill.
    private static void Write(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        lock (OutputLock) Output.Write(bytes);
    }
}
