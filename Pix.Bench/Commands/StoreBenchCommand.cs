using Pix.Bench.Embedded;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>store-bench --data DIR [--seconds 5] [--senders 64] [--recovery-messages 1000000] [--recovery-payload 1024]
/// [--recovery-runs 1] [--recovery-keep] [--recovery-only] [--no-full-replay]</c>: the embedded store's
/// figures with fsync on: ingest of 1 KB and 8 KB messages (messages/s, fsyncs/s, mean group size), reads of
/// 10-message batches (repeated reads: the pure read path; and claim+ack cycles, which each need a durable write),
/// and recovery time (from a checkpoint, by phase, over several runs; and a full replay with no checkpoint).
/// </summary>
internal static class StoreBenchCommand
{
    private static readonly Ispb Sender = Ispb.Parse("99999999");

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var root = args.Required("data");
        var seconds = (int)args.Number("seconds", 5);
        var senders = (int)args.Number("senders", 64);
        var recoveryMessages = args.Number("recovery-messages", 1_000_000);
        var recoveryPayload = (int)args.Number("recovery-payload", 1024);
        var recoveryOnly = args.Has("recovery-only");
        var recoveryRuns = (int)Math.Max(1, args.Number("recovery-runs", 1));
        var fullReplay = !args.Has("no-full-replay");
        var keep = args.Has("recovery-keep");
        Console.WriteLine($"store-bench: {Environment.ProcessorCount} cores, data in {root}, {seconds} s per run, {senders} concurrent senders");

        if (!recoveryOnly)
        {
            foreach (var size in new[] { 1024, 8192 })
            {
                await Ingest(Fresh(root, $"ingest-{size}"), size, senders, seconds);
            }
            await Reads(Fresh(root, "reads"), seconds);
            await Allocations(Fresh(root, "allocations"));
        }
        // --recovery-keep: measure recovery again on the backlog a previous run wrote (writing 10 M takes minutes).
        var recovery = Path.Combine(root, "recovery");
        var reuse = keep && Directory.Exists(recovery);
        await Recovery(reuse ? recovery : Fresh(root, "recovery"), recoveryMessages, recoveryPayload, recoveryRuns, fullReplay, reuse);
        return 0;
    }

    private static string Fresh(string root, string name)
    {
        var path = Path.Combine(root, name);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        return path;
    }

    private static EmbeddedQueueStore Open(string path) => new(new EmbeddedStoreOptions { DataDir = path });

    private static async Task Ingest(string path, int size, int senders, int seconds)
    {
        await using var store = Open(path);
        var payload = Encoding.ASCII.GetBytes(new string('x', size));
        var before = store.Counters;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var tasks = Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            var batch = new AppendBatch();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                batch.Clear();
                batch.Add(new IncomingMessage(Receiver(i), Sender, Encoding.ASCII.GetBytes($"{size}-{sender}-{i}"), payload, Disposition.Deliver));
                await store.AppendAsync(batch);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = store.Counters;
        var messages = after.Messages - before.Messages;
        var fsyncs = after.Fsyncs - before.Fsyncs;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest {size / 1024} KB, 1 message per request, {senders} senders: {messages / elapsed:F0} messages/s, {fsyncs / elapsed:F0} fsyncs/s, mean group {(double)(after.Entries - before.Entries) / fsyncs:F1} requests, {(after.Bytes - before.Bytes) / elapsed / 1048576:F1} MiB/s"));
    }

    private static async Task Reads(string path, int seconds)
    {
        await using var store = Open(path);
        var ispbs = Enumerable.Range(1, 6).Select(i => Ispb.Parse($"1000000{i}")).ToArray();
        var payload = Encoding.ASCII.GetBytes(new string('x', 1024));
        foreach (var ispb in ispbs)
        {
            for (var b = 0; b < 2000; b++)
            {
                var batch = new AppendBatch();
                for (var m = 0; m < 10; m++) batch.Add(new IncomingMessage(ispb, Sender, Encoding.ASCII.GetBytes($"r{ispb}-{b}-{m}"), payload, Disposition.Deliver));
                await store.AppendAsync(batch);
            }
        }

        // Repeated reads: the batch is in memory, the bytes come from the page cache into the batch's buffer.
        var stream = new StoreCursor(store, ispbs[0]);
        await stream.OpenAsync();
        var into = new MessageBatch();
        await stream.NextAsync(into);
        long reads = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await stream.RepeatAsync(into);
            reads++;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read of a 10-message batch of 1 KB (repeated read, one thread): {reads / clock.Elapsed.TotalSeconds:F0} batches/s"));
        await stream.CloseAsync(acknowledge: false);

        // Claim + ack cycles on 36 streams (6 ISPBs x 6): every cycle is a durable write, shared by group commit.
        var before = store.Counters;
        long cycles = 0;
        clock.Restart();
        var tasks = ispbs.SelectMany(ispb => Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var cursor = new StoreCursor(store, ispb);
            await cursor.OpenAsync();
            var batch = new MessageBatch();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                await cursor.NextAsync(batch);
                if (batch.Count == 0) break;
                Interlocked.Increment(ref cycles);
            }
        }))).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        var fsyncs = store.Counters.Fsyncs - before.Fsyncs;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"claim+ack of 10-message batches, 36 streams: {cycles / elapsed:F0} batches/s ({cycles * 10 / elapsed:F0} messages/s), {fsyncs / elapsed:F0} fsyncs/s"));
    }

    // Bytes allocated by all threads (the writer's included) per operation, after a warm-up.
    private static async Task Allocations(string path)
    {
        await using var store = Open(path);
        var ispb = Receiver(0);
        var payload = new byte[1024];
        var batch = new AppendBatch();
        var keys = Enumerable.Range(0, 40_000).Select(i => Encoding.ASCII.GetBytes($"alloc-{i}")).ToArray();
        async Task AppendRange(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                batch.Clear();
                batch.Add(new IncomingMessage(ispb, Sender, keys[i], payload, Disposition.Deliver));
                await store.AppendAsync(batch);
            }
        }
        await AppendRange(0, 10_000);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await AppendRange(10_000, 20_000);
        var append = (GC.GetTotalAllocatedBytes(precise: true) - before) / 10_000.0;

        var stream = new StoreCursor(store, ispb);
        await stream.OpenAsync();
        var into = new MessageBatch();
        async Task Cycle(int count)
        {
            for (var i = 0; i < count; i++) await stream.NextAsync(into);
        }
        await Cycle(500);
        before = GC.GetTotalAllocatedBytes(precise: true);
        await Cycle(1000);
        var cycle = (GC.GetTotalAllocatedBytes(precise: true) - before) / 1000.0;
        before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < 10_000; i++) await stream.RepeatAsync(into);
        var repeat = (GC.GetTotalAllocatedBytes(precise: true) - before) / 10_000.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"allocated per operation (all threads): append of 1 message {append:F0} B, claim+ack of a 10-message batch {cycle:F0} B, repeated read {repeat:F0} B"));
    }

    private static async Task Recovery(string path, long messages, int payloadBytes, int runs, bool fullReplay, bool reuse)
    {
        if (!reuse) await WriteBacklog(path, messages, payloadBytes);
        var clock = Stopwatch.StartNew();
        var times = new List<RecoveryTimes>();
        for (var run = 0; run < runs; run++)
        {
            // CPU time beside wall time: on a shared machine the wall time is mostly waiting for a core.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            await using var store = Open(path);
            var elapsed = clock.ElapsedMilliseconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            var queued = await Unacknowledged(store);
            var t = store.Recovery;
            times.Add(t);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recovery {run + 1}/{runs} of {messages} unacknowledged messages from the shutdown checkpoint: {elapsed} ms, {cpu:F0} ms of CPU ({queued} in the queues); checkpoint read {t.CheckpointRead.TotalMilliseconds:F0} ms ({t.CheckpointBytes / 1048576.0:F0} MiB), parse {t.Parse.TotalMilliseconds:F0} ms, dedup {t.Dedup.TotalMilliseconds:F0} ms, log replay {t.LogReplay.TotalMilliseconds:F0} ms ({t.LogRecords} records), total {t.Total.TotalMilliseconds:F0} ms"));
        }
        if (runs > 1)
        {
            static string Spread(IEnumerable<TimeSpan> values)
            {
                var sorted = values.Select(v => v.TotalMilliseconds).Order().ToList();
                return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F0} ({sorted[0]:F0}-{sorted[^1]:F0})");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recovery over {runs} runs, median (min-max) ms: checkpoint read {Spread(times.Select(t => t.CheckpointRead))}, parse {Spread(times.Select(t => t.Parse))}, dedup {Spread(times.Select(t => t.Dedup))}, log replay {Spread(times.Select(t => t.LogReplay))}, total {Spread(times.Select(t => t.Total))}"));
        }
        if (!fullReplay) return;
        foreach (var checkpoint in Directory.GetFiles(path, "*.ckpt")) File.Delete(checkpoint);
        // The page cache is not dropped (a shared machine): the replay reads the log warm.
        clock.Restart();
        await using (var store = Open(path))
        {
            var elapsed = clock.ElapsedMilliseconds;
            var queued = await Unacknowledged(store);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recovery of {messages} messages by full log replay (no checkpoint, {DirectorySize(path) / 1048576} MiB of log): {elapsed} ms ({queued} in the queues)"));
        }
    }

    private static async Task WriteBacklog(string path, long messages, int payloadBytes)
    {
        var payload = Encoding.ASCII.GetBytes(new string('x', payloadBytes));
        var clock = Stopwatch.StartNew();
        // The writer writes each checkpoint of up to N messages itself, during which groups wait: on a loaded machine
        // that can pass the default 5 s deadline, which would fail the run rather than measure recovery.
        var writing = new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = path, WriteTimeout = TimeSpan.FromMinutes(10) });
        await using (var store = writing)
        {
            var perTask = messages / 8;
            long written = 0;
            using var progress = new Timer(_ => Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\rwriting the backlog: {Interlocked.Read(ref written):N0} / {messages:N0}")), null, 1000, 1000);
            var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                var batch = new AppendBatch();
                for (long i = 0; i < perTask; i += 100)
                {
                    batch.Clear();
                    for (var m = 0; m < 100 && i + m < perTask; m++)
                    {
                        batch.Add(new IncomingMessage(Receiver((int)(i + m)), Sender, Encoding.ASCII.GetBytes($"rec-{t}-{i + m}"), payload, Disposition.Deliver));
                    }
                    await store.AppendAsync(batch);
                    Interlocked.Add(ref written, batch.Count);
                }
            })).ToArray();
            await Task.WhenAll(tasks);
            await progress.DisposeAsync();
            Console.Error.WriteLine();
        }
        // Checkpoints every 64 MiB of log while the backlog grew to N, and the shutdown's with all N: the state lock
        // is held for the mark only.
        var checkpoints = writing.Checkpoints;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{checkpoints.Checkpoints} checkpoints (the last at shutdown, with all {messages} unacknowledged): state lock held {checkpoints.LockHeldTotal.TotalMilliseconds / Math.Max(1, checkpoints.Checkpoints):F3} ms on average, {checkpoints.LockHeldMax.TotalMilliseconds:F3} ms at most; the state written off the lock in up to {checkpoints.SerializeMax.TotalMilliseconds:F0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {messages} messages of {payloadBytes} B in {clock.Elapsed.TotalSeconds:F1} s (100 per request)"));
    }

    private static async Task<long> Unacknowledged(IQueueStore store) =>
        (await store.StatsAsync(Receiver(0))).Unacknowledged + (await store.StatsAsync(Receiver(1))).Unacknowledged;

    private static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static Ispb Receiver(int i) => (i & 1) == 0 ? Ispb.Parse("20000001") : Ispb.Parse("20000002");
}
