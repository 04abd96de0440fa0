using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pix.Bench.Dedup;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>dedup --engine ours|rocksdb|faster|zonetree --keys N --dir DIR --out DIR [--lookups 200000] [--present 5]
/// [--cache-mb 256] [--persist-every 50000] [--window-hours 24] [--expiry-hours 8]</c>: one dedup index candidate, in its own process
/// so memory figures are its own. Inserts N keys spread over one window (monotonic time, random ids, a persist
/// every so many keys), closes it, drops the page cache, reopens it cold, looks up random keys (5 % present,
/// 95 % absent) one at a time, then adds 8 more hours of keys so the oldest leave the window. Progress every
/// 5 s; everything after the insert runs in a fresh process (<c>--phase reopen</c>) so its memory figures are
/// not what the insert left with the GC; the figures go to <c>{out}/{engine}-{keys}.json</c>; <c>dedup-report --out DIR</c> tabulates and plots them.
/// </summary>
internal static class DedupBenchCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static int Run(CommandArguments args)
    {
        var engine = args.Required("engine");
        var keys = args.Number("keys", 20_000_000);
        var root = args.Required("dir");
        var outDir = args.Required("out");
        var lookups = args.Number("lookups", 200_000);
        var presentPercent = args.Number("present", 5);
        var cacheBytes = args.Number("cache-mb", 256) * 1024 * 1024;
        var persistEvery = args.Number("persist-every", 50_000);
        var window = TimeSpan.FromHours(args.Number("window-hours", 24));
        var expiryHours = args.Number("expiry-hours", 8);
        var directory = Path.Combine(root, $"{engine}-{keys}");
        var file = Path.Combine(outDir, $"{engine}-{keys}.json");
        var workload = new DedupWorkload(keys, window);
        if (args.Text("phase") == "reopen")
        {
            var inserted = JsonSerializer.Deserialize<DedupRunResult>(File.ReadAllText(file))!;
            return Reopen(inserted, engine, directory, file, cacheBytes, window, keys, workload, lookups, presentPercent, persistEvery, expiryHours);
        }
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(outDir);
        var result = new DedupRunResult { Engine = engine, Keys = keys, CacheBytes = cacheBytes, Lookups = lookups, PresentShare = presentPercent / 100.0 };
        Console.WriteLine($"dedup {engine}: {keys:N0} keys over {window.TotalHours} h, cache {cacheBytes / 1048576} MiB, persist every {persistEvery:N0}, in {directory}");

        // 1. Insert.
        var add = new NanoHistogram();
        var clock = Stopwatch.StartNew();
        using (var index = Open(engine, directory, cacheBytes, window, keys))
        {
            var progress = Stopwatch.StartNew();
            for (long i = 0; i < keys; i++)
            {
                var key = DedupWorkload.Key(i);
                var started = Stopwatch.GetTimestamp();
                index.Add(key, DedupWorkload.Sequence(i), workload.AtMs(i));
                add.RecordSince(started);
                if ((i + 1) % persistEvery == 0) index.Persist(i);
                if (progress.Elapsed.TotalSeconds >= 5)
                {
                    progress.Restart();
                    Console.WriteLine($"  insert {i + 1:N0}/{keys:N0} ({(i + 1) / clock.Elapsed.TotalSeconds:N0} keys/s), RSS {Mib(Rss())}");
                }
            }
            index.Persist(keys - 1);
            if (index is FasterDedupCandidate faster) faster.PersistAll();
            result.InsertSeconds = clock.Elapsed.TotalSeconds;
            result.InsertKeysPerSecond = keys / result.InsertSeconds;
            result.AddMicros = add.Summary();
            result.RssAfterInsert = Rss();
            result.HeapAfterInsert = Heap();
            result.StateAfterInsert = index.Describe();
            Console.WriteLine($"  inserted in {result.InsertSeconds:F0} s ({result.InsertKeysPerSecond:N0} keys/s), RSS {Mib(result.RssAfterInsert)}, heap {Mib(result.HeapAfterInsert)}; {result.StateAfterInsert}");
        }
        result.DiskBytes = DiskBytes(directory);
        File.WriteAllText(file, JsonSerializer.Serialize(result, Json));

        // The rest in a fresh process, so its memory is not what the insert phase left with the GC.
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Under `dotnet Pix.Bench.dll` the first argument is the dll; under the apphost it is the program itself.
        var viaHost = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet";
        foreach (var arg in Environment.GetCommandLineArgs().Skip(viaHost ? 0 : 1)) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--phase");
        start.ArgumentList.Add("reopen");
        using var child = Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }

    private static int Reopen(DedupRunResult result, string engine, string directory, string file, long cacheBytes, TimeSpan window, long keys,
        DedupWorkload workload, long lookups, long presentPercent, long persistEvery, long expiryHours)
    {
        // 2. Cold open.
        result.Cold = DropPageCache();
        var clock = Stopwatch.StartNew();
        using (var index = Open(engine, directory, cacheBytes, window, keys))
        {
            result.OpenSeconds = clock.Elapsed.TotalSeconds;
            result.RssAfterOpen = Rss();
            Console.WriteLine($"  disk {Mib(result.DiskBytes)}; page cache {(result.Cold ? "dropped" : "NOT dropped (need root)")}; reopened in a fresh process in {result.OpenSeconds:F1} s, RSS {Mib(result.RssAfterOpen)}");

            // 3. Lookups: one at a time, mostly absent.
            var all = new NanoHistogram();
            var absent = new NanoHistogram();
            var present = new NanoHistogram();
            var random = new Random(42);
            var progress = Stopwatch.StartNew();
            clock.Restart();
            for (long n = 0; n < lookups; n++)
            {
                var isPresent = random.Next(100) < presentPercent;
                var i = isPresent ? random.NextInt64(keys) : keys + random.NextInt64(long.MaxValue / 8);
                var key = DedupWorkload.Key(i);
                var started = Stopwatch.GetTimestamp();
                var found = index.TryGet(key, out var sequence);
                all.RecordSince(started);
                (isPresent ? present : absent).RecordSince(started);
                if (found != isPresent || (found && sequence != DedupWorkload.Sequence(i))) result.WrongAnswers++;
                if (progress.Elapsed.TotalSeconds >= 5)
                {
                    progress.Restart();
                    Console.WriteLine($"  lookups {n + 1:N0}/{lookups:N0}, p99 so far {all.Micros(99):F1} µs");
                }
            }
            result.LookupMicros = all.Summary();
            result.AbsentMicros = absent.Summary();
            result.PresentMicros = present.Summary();
            result.RssAfterLookups = Rss();
            result.HeapAfterLookups = Heap();
            Console.WriteLine($"  lookups: p50 {all.Micros(50):F1} µs, p99 {all.Micros(99):F1} µs, p99.9 {all.Micros(99.9):F1} µs (absent p99 {absent.Micros(99):F1}, present p50 {present.Micros(50):F1}); wrong answers {result.WrongAnswers}; RSS {Mib(result.RssAfterLookups)}, heap {Mib(result.HeapAfterLookups)}");

            // 4. More hours of keys (past our longest run span, a quarter window): the oldest keys leave the window.
            var extra = (long)(keys * expiryHours / window.TotalHours);
            clock.Restart();
            for (long i = keys; i < keys + extra; i++)
            {
                index.Add(DedupWorkload.Key(i), DedupWorkload.Sequence(i), workload.AtMs(i));
                if ((i + 1) % persistEvery == 0) index.Persist(i);
            }
            index.Persist(keys + extra - 1);
            var horizon = workload.AtMs(keys + extra - 1) - workload.WindowMs;
            result.Expiry = index.Expire(horizon);
            result.ExpiryKeysPerSecond = extra / clock.Elapsed.TotalSeconds;
            Thread.Sleep(TimeSpan.FromSeconds(5));
            result.StateAfterExpiry = index.Describe();
            Console.WriteLine($"  {expiryHours} more hours ({extra:N0} keys) at {result.ExpiryKeysPerSecond:N0} keys/s; expiry: {result.Expiry}; {result.StateAfterExpiry}");
        }
        result.DiskBytesAfterExpiry = DiskBytes(directory);
        Console.WriteLine($"  disk after expiry {Mib(result.DiskBytesAfterExpiry)}");
        File.WriteAllText(file, JsonSerializer.Serialize(result, Json));
        Console.WriteLine($"  wrote {file}");
        return result.WrongAnswers == 0 ? 0 : 1;
    }

    private static IDedupCandidate Open(string engine, string directory, long cacheBytes, TimeSpan window, long keys) => engine switch
    {
        "ours" => new OurDedupCandidate(directory, cacheBytes, window),
        "rocksdb" => new RocksDbDedupCandidate(directory, cacheBytes),
        "faster" => new FasterDedupCandidate(directory, cacheBytes, keys),
        "zonetree" => new ZoneTreeDedupCandidate(directory, cacheBytes),
        _ => throw new ArgumentException($"Unknown engine {engine}: ours, rocksdb, faster or zonetree."),
    };

    private static bool DropPageCache()
    {
        try
        {
            using (var sync = Process.Start("sync")) sync?.WaitForExit();
            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    internal static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(true);
    }

    private static long DiskBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    internal static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N0} MiB");
}
