using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Pix.Bench.Suites;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>alloc-trace [--ops 20000] [--idle-seconds 5] [--no-types] [--windows 0 --window-ops 300] [--segment-kb N]
/// [--dedup-cache-kb N] [--dedup-window-s N]</c>: where the embedded ingest benchmark's bytes come
/// from. Runs <see cref="EmbeddedStoreBenchmarks.EmbeddedIngest1"/> in-process, as BenchmarkDotNet does, in three
/// phases: the process idle with the server open (the background rate of timers and sweeps, in B/s); N operations,
/// counting every thread's bytes (<see cref="GC.GetTotalAllocatedBytes"/>, what the MemoryDiagnoser reports) and the
/// benchmark thread's (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) per operation; and N more under an
/// AllocationTick listener, whose samples name the top allocating types and the thread that allocated them.
/// <c>--windows K</c> then measures as the gate's MemoryDiagnoser does, K times: a forced full collection (which lets
/// the runtime trim pools and queue its gen2 callbacks), then <c>--window-ops</c> operations counted over every thread,
/// with the finalizer thread held meanwhile as the gate holds it (<see cref="FinalizerBlock"/>; <c>--run-finalizers</c>
/// lets it run, as the gate did before); each window is marked by <see cref="AllocWindowEvents"/> for a trace to be
/// cut by. The sizes shrink the store's segments (and checkpoint interval) and dedup tables, so that a short run
/// includes rolls, checkpoints and dedup flushes (the gate's defaults: 64 MiB, 256 MiB and a zero window).
/// </summary>
internal static class AllocTraceCommand
{
    public static int Run(CommandArguments args)
    {
        var ops = (int)args.Number("ops", 20_000);
        var idle = TimeSpan.FromSeconds(args.Number("idle-seconds", 5));
        var bench = new EmbeddedStoreBenchmarks();
        if (args.Text("segment-kb") is not null) bench.SegmentBytes = args.Number("segment-kb", 0) * 1024;
        if (args.Text("dedup-cache-kb") is not null) bench.DedupCacheBytes = args.Number("dedup-cache-kb", 0) * 1024;
        if (args.Text("dedup-window-s") is not null) bench.DedupWindow = TimeSpan.FromSeconds(args.Number("dedup-window-s", 0));
        bench.Setup();
        try
        {
            // Warm-up: pools filled, tiered JIT settled on the request path.
            Loop(bench, Math.Min(ops, 2_000));
            var me = ThreadId();
            Console.WriteLine($"benchmark thread: OS id {me}; {Environment.ProcessorCount} cores; {LoadAverage()}");

            var before = GC.GetTotalAllocatedBytes(precise: true);
            Thread.Sleep(idle);
            var idleBytes = GC.GetTotalAllocatedBytes(precise: true) - before;
            var rate = idleBytes / idle.TotalSeconds;
            Console.WriteLine($"idle {idle.TotalSeconds:F0} s: {idleBytes} B ({rate:F0} B/s in the background)");

            var clock = Stopwatch.StartNew();
            var total = GC.GetTotalAllocatedBytes(precise: true);
            var mine = GC.GetAllocatedBytesForCurrentThread();
            Loop(bench, ops);
            mine = GC.GetAllocatedBytesForCurrentThread() - mine;
            total = GC.GetTotalAllocatedBytes(precise: true) - total;
            var elapsed = clock.Elapsed;
            var background = rate * elapsed.TotalSeconds;
            Console.WriteLine($"{ops} ops in {elapsed.TotalSeconds:F1} s ({ops / elapsed.TotalSeconds:F0} ops/s):");
            Console.WriteLine($"  all threads      {total,10} B  {Per(total, ops)} B/op");
            Console.WriteLine($"  benchmark thread {mine,10} B  {Per(mine, ops)} B/op");
            Console.WriteLine($"  other threads    {total - mine,10} B  {Per(total - mine, ops)} B/op");
            Console.WriteLine($"  idle rate x time {background,10:F0} B  {Per((long)background, ops)} B/op (what timers alone would explain)");

            // Which operations allocated on the benchmark thread: every 100th one also drains the queue.
            // And which allocated on any thread, beside the thread pool's size: a pool thread started while the request
            // path runs allocates its own state, which lands on whichever operation was running.
            var spikes = new List<(int Op, long Bytes)>();
            var anywhere = new List<(int Op, long Bytes, int PoolThreads)>();
            for (var i = 0; i < ops; i++)
            {
                var at = GC.GetAllocatedBytesForCurrentThread();
                var all = GC.GetTotalAllocatedBytes(precise: true);
                if (bench.EmbeddedIngest1() != 201) throw new InvalidOperationException("The ingest did not answer 201.");
                var bytes = GC.GetAllocatedBytesForCurrentThread() - at;
                all = GC.GetTotalAllocatedBytes(precise: true) - all;
                if (bytes > 0) spikes.Add((i, bytes));
                if (all > 0) anywhere.Add((i, all, ThreadPool.ThreadCount));
            }
            Console.WriteLine($"benchmark thread, {ops} more ops: {spikes.Count} allocated, {spikes.Sum(s => s.Bytes)} B in all; first ones (op: bytes):");
            Console.WriteLine("  " + string.Join(", ", spikes.Take(20).Select(s => $"{s.Op}: {s.Bytes}")));
            Console.WriteLine($"any thread: {anywhere.Count} ops allocated, {anywhere.Sum(s => s.Bytes)} B in all; the largest (op: bytes, pool threads then):");
            Console.WriteLine("  " + string.Join(", ", anywhere.OrderByDescending(s => s.Bytes).Take(20).Select(s => $"{s.Op}: {s.Bytes} ({s.PoolThreads})")));

            var windows = (int)args.Number("windows", 0);
            if (windows > 0) Windows(bench, windows, (int)args.Number("window-ops", 300), args.Has("run-finalizers"));
            if (args.Has("no-types")) return 0;
            using var ticks = new AllocationTicks();
            ticks.Start();
            Loop(bench, ops);
            ticks.Stop();
            var samples = ticks.Bytes;
            Console.WriteLine($"AllocationTick samples over {ops} more ops (about 100 KB each; 'bench' = the benchmark thread):");
            foreach (var ((type, thread), bytes) in samples.OrderByDescending(s => s.Value).Take(20))
            {
                Console.WriteLine($"  {bytes,10} B  {(thread == me ? "bench" : thread.ToString(CultureInfo.InvariantCulture)),8}  {type}");
            }
            if (samples.Count == 0) Console.WriteLine("  (none: fewer than about 100 KB allocated on any thread)");
            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    // As BenchmarkDotNet's GcStats.ReadInitial/ReadFinal around its extra iteration: GC.Collect, then the operations.
    private static void Windows(EmbeddedStoreBenchmarks bench, int windows, int ops, bool runFinalizers)
    {
        var bytes = new long[windows];
        for (var w = 0; w < windows; w++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using (runFinalizers ? default : FinalizerBlock.Start())
            {
                GC.Collect();
                AllocWindowEvents.Log.WindowStart(w);
                var before = GC.GetTotalAllocatedBytes(precise: true);
                Loop(bench, ops);
                bytes[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
                AllocWindowEvents.Log.WindowEnd(w, bytes[w]);
            }
        }
        var over = bytes.Count(b => b > 8L * ops);
        Console.WriteLine($"{windows} gate-like windows of {ops} ops (full GC before each, finalizers {(runFinalizers ? "running" : "held")}): {over} over 8 B/op; B/op each:");
        Console.WriteLine("  " + string.Join(" ", bytes.Select(b => (b / (double)ops).ToString("F1", CultureInfo.InvariantCulture))));
    }

    private static void Loop(EmbeddedStoreBenchmarks bench, int ops)
    {
        for (var i = 0; i < ops; i++)
        {
            if (bench.EmbeddedIngest1() != 201) throw new InvalidOperationException("The ingest did not answer 201.");
        }
    }

    private static string Per(long bytes, int ops) => (bytes / (double)ops).ToString("F1", CultureInfo.InvariantCulture);

    private static long ThreadId() => OperatingSystem.IsLinux() ? Gettid() : -1;

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int Gettid();

    private static string LoadAverage()
    {
        try
        {
            return "load average " + File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }
}
