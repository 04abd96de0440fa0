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
    // Streams never idle out here: the crash test resumes them after each kill, as clients holding tokens would.
    private static readonly StreamTimes Times = new(1_000, int.MaxValue / 2);
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
            var resumed = store.OpenStreams().Where(s => s.Ispb == ispb).Select(s => (s.StreamId, s.Batch)).ToList();
            for (var s = resumed.Count; s < 3; s++) resumed.Add((0, 0));
            var random = new Random(seed * 31 + (int)ispb.Packed);
            foreach (var (streamId, batch) in resumed) workers.Add(Task.Run(() => ConsumeLoop(store, ispb, streamId, batch, new Random(random.Next()), stop.Token)));
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

    private static async Task ConsumeLoop(IQueueStore store, Ispb ispb, ulong streamId, uint resumeAt, Random random, CancellationToken stop)
    {
        var into = new MessageBatch();
        var lines = new StringBuilder();
        // A resumed stream reads with the previous token (a repeated read: the batch the killed run held comes
        // again); a new one with the start token 0.
        uint token = resumeAt > 0 ? resumeAt - 1 : 0;
        var acknowledge = false;
        if (streamId == 0) streamId = await OpenAsync(store, ispb, stop);
        var previous = new List<ResourceId>();
        while (!stop.IsCancellationRequested)
        {
            if (acknowledge) WriteIds('k', previous, lines);
            var read = await store.ReadAsync(new ReadRequest(ispb, streamId, token, ReadMode.Advance, random.Next(1, 11), 1, Times), into);
            if (read.Status != ReadStatus.Ok) throw new InvalidOperationException($"Stream {streamId} answered {read.Status} on token {token}.");
            if (acknowledge) WriteIds('K', previous, lines);
            previous.Clear();
            for (var i = 0; i < into.Count; i++)
            {
                previous.Add(into[i].Id);
                CheckPayload(into, i);
            }
            WriteIds('D', previous, lines);
            if (into.Count == 0)
            {
                await store.ReadAsync(new ReadRequest(ispb, streamId, read.Batch, ReadMode.Release, 0, 1, Times), into);
                await Task.Delay(2, CancellationToken.None);
            }

            var dice = random.Next(40);
            if (dice == 0 || dice == 1)
            {
                // Close: acknowledging (like DELETE) or releasing (like an idle timeout), then a fresh stream.
                var ack = dice == 0;
                if (ack) WriteIds('k', previous, lines);
                // The current token closes with an acknowledgement; the previous one releases the batch.
                await store.CloseStreamAsync(new CloseRequest(ispb, streamId, ack ? read.Batch : read.Batch - 1), CancellationToken.None);
                if (ack) WriteIds('K', previous, lines);
                previous.Clear();
                streamId = await OpenAsync(store, ispb, stop);
                token = 0;
                acknowledge = false;
                continue;
            }
            token = read.Batch;
            acknowledge = true;
        }
    }

    private static async Task<ulong> OpenAsync(IQueueStore store, Ispb ispb, CancellationToken stop)
    {
        while (true)
        {
            var opened = await store.OpenStreamAsync(ispb, 6, Times, CancellationToken.None);
            if (opened.Opened) return opened.StreamId;
            await Task.Delay(10, stop);
        }
    }

    // The payload starts with its BizMsgIdr: a wrong position would show here.
    private static void CheckPayload(MessageBatch batch, int index)
    {
        if (batch.IsDamaged(index) || batch.Payload(index)[0] != (byte)'s') throw new InvalidDataException($"Message {batch[index].Id} reads back wrong bytes.");
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
