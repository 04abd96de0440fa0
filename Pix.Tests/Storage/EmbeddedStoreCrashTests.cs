using System.Diagnostics;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Tests.Storage;

/// <summary>
/// kill -9 at random moments: a child process (<c>Pix.Bench store-torture</c>) appends and consumes with several
/// senders and streams, printing each event after it completed; it is killed 24 times at different points, each
/// run resuming the streams the previous one left open. Then the store must open cleanly and hold everything that
/// got a 201 exactly once, and nothing acknowledged may ever be delivered again.
/// </summary>
public sealed class EmbeddedStoreCrashTests : IDisposable
{
    private const int Kills = 24;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task EveryStoredMessageSurvivesKillsAndNoAcknowledgedMessageComesBack()
    {
        var events = new List<(char Kind, string Id)>();
        var random = new Random(20261125);
        var delays = new HashSet<int>();
        while (delays.Count < Kills) delays.Add(random.Next(30, 1300));
        var run = 0;
        foreach (var delay in delays)
        {
            run++;
            var lines = await RunAndKill(run, delay);
            Assert.True(lines.Count(l => l.Kind == 'A') > 0 || delay < 100, $"run {run} (killed after {delay} ms) appended nothing");
            events.AddRange(lines);
        }

        // No acknowledged message is delivered again: not in a later batch of the same run, not after a restart.
        var acknowledged = new HashSet<string>();
        foreach (var (kind, id) in events)
        {
            if (kind == 'K') acknowledged.Add(id);
            if (kind == 'D') Assert.False(acknowledged.Contains(id), $"{id} was delivered again after its acknowledgement completed");
        }

        var appended = events.Where(e => e.Kind == 'A').Select(e => e.Id).ToHashSet();
        var maybeAcknowledged = events.Where(e => e.Kind == 'k').Select(e => e.Id).ToHashSet();
        var logger = new RecordingLogger();
        var drained = await Drain(logger);
        Assert.DoesNotContain(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));

        Assert.Equal(drained.Count, drained.Distinct().Count());
        Assert.DoesNotContain(drained, acknowledged.Contains);
        // Each message that got a 201 was either acknowledged (or its acknowledgement was under way at a kill) or is
        // delivered now.
        var missing = appended.Where(id => !maybeAcknowledged.Contains(id) && !drained.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {appended.Count} stored messages were lost, e.g. {missing.FirstOrDefault()}");
        Assert.True(appended.Count > 1000, $"only {appended.Count} messages were appended across {Kills} runs");
    }

    [Fact]
    public async Task ASecondProcessOnTheSameDataDirectoryIsRefusedWithTheHoldersPid()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { BenchAssembly(), "store-torture", "--data", _directory.Path, "--seed", "7" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            Assert.Equal("READY", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            var refused = Assert.Throws<DataDirectoryInUseException>(() => new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = _directory.Path }));
            Assert.Contains($"pid {process.Id}", refused.Message, StringComparison.Ordinal);
            Assert.Contains(Path.GetFullPath(_directory.Path), refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        // The kernel dropped the lock with the process: a restart is not blocked by a stale file.
        await using var reopened = new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = _directory.Path });
    }

    private async Task<List<(char Kind, string Id)>> RunAndKill(int run, int delayMs)
    {
        var lines = new List<(char, string)>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BenchAssembly());
        start.ArgumentList.Add("store-torture");
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(_directory.Path);
        start.ArgumentList.Add("--seed");
        start.ArgumentList.Add(run.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = new Process { StartInfo = start };
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data == "READY") ready.TrySetResult();
            else if (e.Data.Length == 2 + ResourceId.TextLength && e.Data[1] == ' ') lock (lines) lines.Add((e.Data[0], e.Data[2..]));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var opened = await Task.WhenAny(ready.Task, Task.Delay(30_000));
        Assert.True(opened == ready.Task, $"run {run}: the store did not open: {errors}");
        // The random moment counts from the first stored append: on two busy cores the first fsync alone can take
        // longer than a short delay, and a run killed before it proves nothing.
        var firstAppend = System.Diagnostics.Stopwatch.StartNew();
        while (!HasAppended() && firstAppend.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited) await Task.Delay(5);
        await Task.Delay(delayMs);
        Assert.False(process.HasExited, $"run {run} died on its own: {errors}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.True(errors.Length == 0, $"run {run} wrote errors: {errors}");
        lock (lines) return lines.ToList();

        bool HasAppended()
        {
            lock (lines) return lines.Exists(l => l.Item1 == 'A');
        }
    }

    // Resumes every stream left open (a repeated read, as a client holding its token would), then drains and acks all.
    private async Task<List<string>> Drain(RecordingLogger logger)
    {
        var drained = new List<string>();
        await using var store = new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = _directory.Path, Logger = logger });
        var into = new MessageBatch();
        foreach (var (ispb, streamId, batch) in store.OpenStreams())
        {
            // A repeated read, as a client holding the token of the batch before would make.
            var resumed = new StoreCursor(store, ispb);
            resumed.Resume(streamId, batch);
            if (batch > 0)
            {
                Assert.Equal(ReadStatus.Ok, await resumed.RepeatAsync(into));
                foreach (var m in into.Items) drained.Add(m.Id.ToString());
            }
            Assert.Equal(ReadStatus.Ok, await resumed.CloseAsync(acknowledge: true));
        }
        foreach (var ispb in new[] { Ispb.Parse("11111111"), Ispb.Parse("22222222") })
        {
            var stream = new StoreCursor(store, ispb);
            Assert.True(await stream.OpenAsync());
            do
            {
                Assert.Equal(ReadStatus.Ok, await stream.NextAsync(into));
                foreach (var m in into.Items) drained.Add(m.Id.ToString());
            }
            while (into.Count > 0);
            Assert.Equal(ReadStatus.Ok, await stream.CloseAsync(acknowledge: true));
            Assert.Equal(0, (await store.StatsAsync(ispb)).Unacknowledged);
        }
        return drained;
    }

    private static string BenchAssembly()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Pix.Bench.dll");
        Assert.True(File.Exists(path), $"{path} is missing: Pix.Tests references Pix.Bench so the build copies it");
        return path;
    }
}
