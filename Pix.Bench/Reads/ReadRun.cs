using System.Diagnostics;
using System.Net;
using HdrHistogram;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>
/// The connections of one <c>reads</c> or <c>ingest</c> run and its measured phases: each phase warms up, then
/// measures for a fixed time or until a queue runs dry, then stops every stream at a request boundary, so the next
/// phase carries on where it left off (reads: along the same <c>PI-Pull-Next</c> chains).
/// </summary>
internal sealed class ReadRun(IReadOnlyList<MeasuredStream> streams) : IDisposable
{
    /// <summary>Reads: <paramref name="streamsPerIspb"/> streams for each ISPB, one connection each (with
    /// <paramref name="tls"/>, mutual TLS as that ISPB).</summary>
    public static ReadRun Open(Func<IPEndPoint> targets, IReadOnlyList<string> ispbs, IReadOnlyList<QueueBudget> budgets, int streamsPerIspb,
        ClientTls? tls = null) =>
        new([.. ispbs.SelectMany((ispb, i) => Enumerable.Range(0, streamsPerIspb).Select(_ => new ReadStream(targets(), ispb, budgets[i], tls?.For(ispb))))]);

    public int Streams => streams.Count;

    /// <summary>One phase: <paramref name="rate"/> reads/s over all streams (0: as fast as answers come).
    /// <paramref name="serverCpu"/> reads the server's CPU time, when the server is ours to watch.</summary>
    public async Task<ReadPhase> RunAsync(double rate, TimeSpan warmup, TimeSpan duration, Func<TimeSpan>? serverCpu, bool progress)
    {
        var window = new ReadWindow();
        var interval = rate > 0 ? (long)(Stopwatch.Frequency * streams.Count / rate) : 0;
        foreach (var stream in streams)
        {
            stream.Latency.Reset();
            stream.Service.Reset();
            stream.ClientDelay.Reset();
        }
        // Each stream's first request is due a share of the interval after the one before, so an open loop sends evenly
        // spread requests, not every stream's at the same instant.
        var start = Stopwatch.GetTimestamp();
        var running = streams.Select((s, i) => Task.Run(() => s.RunAsync(window, interval, start + interval * i / streams.Count))).ToArray();
        var all = Task.WhenAll(running);
        await Task.WhenAny(all, window.Ended.Task, Task.Delay(warmup));

        window.Measure();
        var (reads, messages) = Totals();
        var started = Stopwatch.GetTimestamp();
        var server = serverCpu?.Invoke();
        var client = Process.GetCurrentProcess().TotalProcessorTime;
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var last = reads;
        while (!window.EndedEarly && !all.IsCompleted && Stopwatch.GetTimestamp() < end)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
            await Task.WhenAny(all, window.Ended.Task, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)));
            if (!progress) continue;
            var now = Totals().Reads;
            Console.WriteLine($"  {Stopwatch.GetElapsedTime(started).TotalSeconds,5:F1} s {now - last,8:N0} reads");
            last = now;
        }
        var (readsAfter, messagesAfter) = Totals();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var serverShare = serverCpu is null ? (double?)null : (serverCpu() - server!.Value).TotalSeconds / seconds;
        var clientShare = (Process.GetCurrentProcess().TotalProcessorTime - client).TotalSeconds / seconds;
        window.Stop();
        // Streams parked on a long poll (their queue is dry) answer within the poll; wait for them, within reason.
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10)));
        if (!all.IsCompleted) throw new TimeoutException("Streams did not stop within 10 s of the window's end.");
        await all;

        var latency = new LongHistogram(60_000_000, 3);
        var service = new LongHistogram(60_000_000, 3);
        var clientDelay = new LongHistogram(60_000_000, 3);
        foreach (var stream in streams)
        {
            latency.Add(stream.Latency);
            service.Add(stream.Service);
            clientDelay.Add(stream.ClientDelay);
        }
        static double Millis(LongHistogram histogram, double percentile) =>
            histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new ReadPhase(seconds, readsAfter - reads, messagesAfter - messages, Millis(latency, 50), Millis(latency, 99), Millis(latency, 99.9),
            serverShare, clientShare, window.EndedEarly && window.Failure is null, window.Failure, Millis(service, 99), Millis(clientDelay, 99));
    }

    private (long Reads, long Messages) Totals()
    {
        long reads = 0, messages = 0;
        foreach (var stream in streams)
        {
            reads += stream.Requests;
            messages += stream.Messages;
        }
        return (reads, messages);
    }

    public void Dispose()
    {
        foreach (var stream in streams) stream.Dispose();
    }
}
