using System.Globalization;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Queues;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>store-memory [--messages 1000000,5000000,10000000] [--queues 200]</c>: RAM the in-process queue index keeps per
/// unacknowledged message (what the embedded store holds in memory per message; payloads stay on disk, the dedup
/// window is the dedup index's own budget). Appends N messages spread over the queues, forces a full GC, and divides
/// the managed heap's growth by N.
/// </summary>
internal static class StoreMemoryCommand
{
    public static int Run(CommandArguments args)
    {
        var counts = (args.Text("messages") ?? "1000000,5000000,10000000").Split(',').Select(c => long.Parse(c, CultureInfo.InvariantCulture));
        var queues = (int)args.Number("queues", 200);
        Console.WriteLine("| unacknowledged messages | queues | managed heap growth | bytes per message |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var count in counts)
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var book = new QueueBook(TimeSpan.Zero, new byte[13]);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (long n = 0; n < count; n++)
            {
                var ispb = new Ispb(10_000_000 + (ulong)(n % queues));
                var queue = book.Queue(ispb);
                queue.Append(new StoredMessage(book.NextResourceId(), queue.NextSequence, n * 1_000, 900, now));
            }
            var after = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {count:N0} | {queues} | {(after - before) / 1048576.0:N1} MiB | {(after - before) / (double)count:N1} |"));
            GC.KeepAlive(book);
        }
        return 0;
    }
}
