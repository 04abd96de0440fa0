using System.Diagnostics;
using System.Globalization;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Queues;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>store-capture [--messages 5000000,10000000] [--rounds 30]</c>: what a checkpoint costs the requests of one long
/// queue. Fills one queue with N unacknowledged messages, then each round marks it (as a checkpoint does under the
/// state lock) and times the first change after the mark, which copies what the checkpoint still needs: an append
/// at the tail, a claim+ack at the head, a move in the middle, in turn. Prints the mark's and the change's median and
/// maximum, the queue's RAM per message, and what writing its snapshot and parsing it back cost.
/// </summary>
internal static class StoreCaptureCommand
{
    private static readonly StreamTimes Times = new(60_000, 60_000);
    private static readonly Ispb Receiver = Ispb.Parse("20000001");

    public static int Run(CommandArguments args)
    {
        var counts = (args.Text("messages") ?? "5000000,10000000").Split(',').Select(c => long.Parse(c, CultureInfo.InvariantCulture));
        var rounds = (int)args.Number("rounds", 30);
        Console.WriteLine("| messages in the queue | RAM per message | mark median / max | first change after the mark: median / max (append, claim+ack, move) | snapshot write / parse (one thread) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        // A small queue first, so that the code the rounds time is compiled (tiered JIT) before the first count.
        Measure(Fill(100_000, quiet: true), 100_000, 30);
        foreach (var count in counts) Report(count, rounds);
        return 0;
    }

    // One count, in its own frame: the queue is garbage once it returns, so the next count's RAM figure starts clean.
    private static void Report(long count, int rounds)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var queue = Fill(count);
        var perMessage = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        var (marks, changes) = Measure(queue, count, rounds);
        var (write, parse) = Snapshot(queue);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {count:N0} | {perMessage:F1} B | {Median(marks):F3} / {marks.Max():F3} ms | {Median(changes):F3} / {changes.Max():F3} ms | {write:F0} / {parse:F0} ms |"));
        GC.KeepAlive(queue);
    }

    private static IspbQueue Fill(long count, bool quiet = false)
    {
        var queue = new IspbQueue();
        var instance = new byte[13];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var step = Math.Max(1, count / 10);
        for (long n = 0; n < count; n++)
        {
            queue.Append(new StoredMessage(ResourceId.Create(instance, (ulong)n + 1), queue.NextSequence, n * 1_000, 900, now));
            if (!quiet && (n + 1) % step == 0) Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rfilling one queue: {n + 1:N0} / {count:N0}"));
        }
        if (!quiet) Console.Error.WriteLine();
        if (!queue.TryOpen(1, 6, 0, Times)) throw new InvalidOperationException("The bench's stream did not open.");
        return queue;
    }

    private static (List<double> Marks, List<double> Changes) Measure(IspbQueue queue, long count, int rounds)
    {
        var marks = new List<double>();
        var changes = new List<double>();
        var random = new Random(1);
        var batch = new StoredMessage[MessageBatch.Capacity];
        var acknowledged = new StoredMessage[MessageBatch.Capacity];
        var appended = count;
        for (var round = 0; round < rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            queue.RequestCapture();
            marks.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            switch (round % 3)
            {
                case 0:
                    queue.Append(new StoredMessage(ResourceId.Create(new byte[13], (ulong)++appended), queue.NextSequence, appended * 1_000, 900, 0));
                    break;
                case 1:
                    queue.TryGetStream(1, out var token, out _);
                    queue.Read(new ReadRequest(Receiver, 1, token, ReadMode.Advance, MessageBatch.Capacity, 0, Times), 0, batch, out _, acknowledged, out _);
                    break;
                default:
                    var sequence = queue.NextSequence - 1 - random.NextInt64(count / 2);
                    if (queue.TryGetId(sequence, out var id)) queue.TryMove(id, sequence * 7);
                    break;
            }
            changes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            // The checkpoint thread writes the image and hands it back; the bench only times the requests' side.
            queue.ReleaseCapture(queue.TakeCapture());
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{count:N0} messages: round {round + 1} / {rounds}"));
        }
        Console.Error.WriteLine();
        return (marks, changes);
    }

    // What a checkpoint of this queue costs off the lock (written to memory) and what recovery's parse of it costs.
    private static (double Write, double Parse) Snapshot(IspbQueue queue)
    {
        var started = Stopwatch.GetTimestamp();
        var writer = new SnapshotWriter();
        queue.WriteCompact(writer);
        var write = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var bytes = writer.Written.ToArray();
        var parses = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            started = Stopwatch.GetTimestamp();
            GC.KeepAlive(IspbQueue.ReadCompact(bytes));
            parses.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return (write, Median(parses));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
