using System.Diagnostics;
using System.Net;
using Pix.Bench.Load;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>reads</c>: the architecture budget's figure, stream reads per second of full 10-message batches. Preloads every
/// PSP's queue, then each stream follows its PI-Pull-Next chain (each read acknowledges the previous batch and claims
/// the next ten) for a fixed time, printing progress every second. Run the server with a large rate-limit bucket
/// and a backlog limit above the preload. With <c>--certs DIR</c> every connection speaks mutual TLS (sessions
/// resume; the reads themselves run over the connections opened first).
/// </summary>
internal static class ReadBenchCommand
{
    public const string Usage = "reads [--target http://127.0.0.1:8080 | --targets URL,URL...] [--certs DIR] [--admin-port 9464] [--psps 12] [--streams 3] [--per-psp 20000] [--duration 10]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        using var tls = options.Text("certs") is { } certs ? new ClientTls(certs) : null;
        TargetList targets;
        try
        {
            // Several nodes (or one HAProxy address): each stream's connection goes to the next, round-robin.
            targets = TargetList.Parse(options.Text("targets") ?? options.Text("target") ?? "http://127.0.0.1:8080");
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var psps = (int)options.Number("psps", 12);
        var streams = (int)Math.Clamp(options.Number("streams", 3), 1, 6);
        var perPsp = (int)options.Number("per-psp", 20_000);
        var duration = TimeSpan.FromSeconds(options.Number("duration", 10));
        // Six digits: the BizMsgIdr is M + SPI + run id + 17-digit sequence = 32 characters.
        var runId = Random.Shared.Next(100_000, 999_999).ToString();
        var ispbs = Enumerable.Range(0, psps).Select(i => $"{runId}{i:D2}").ToArray();
        var factory = new MessageFactory(runId);

        Console.WriteLine($"preloading {perPsp:N0} messages into each of {psps} PSP queues...");
        var preloaded = await PreloadAsync(targets, tls, factory, ispbs, perPsp);
        Console.WriteLine($"preloaded {preloaded:N0} messages");

        // With the operator port, the server's own allocation counter says what a read costs it (TLS included).
        using var allocations = options.Text("admin-port") is { } adminPort ? new Compare.AllocationProbe(int.Parse(adminPort, System.Globalization.CultureInfo.InvariantCulture)) : null;
        var allocatedBefore = allocations is null ? 0 : await allocations.AllocatedBytesAsync();
        var cpuBefore = allocations is null ? 0 : await allocations.CpuSecondsAsync();
        long reads = 0, messages = 0;
        var latency = new LatencyHistogram();
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        // The rate counts only while every stream still had work: once one queue is drained, the run stops.
        var busyFor = TimeSpan.Zero;
        var workers = ispbs.SelectMany(ispb => Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            using var connection = new IcomConnection(targets.Next(), tls, ispb);
            var path = $"/api/v1/out/{ispb}/stream/start";
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var response = await connection.SendAsync(IcomRequests.Get(path, gzip: false), CancellationToken.None);
                latency.RecordTicks(Stopwatch.GetTimestamp() - started);
                if (response.Status != 200)
                {
                    lock (latency) if (busyFor == TimeSpan.Zero) busyFor = clock.Elapsed;
                    stop.Cancel();
                    break;
                }
                Interlocked.Increment(ref reads);
                var count = MultipartBody.ForEachPart(response.Body, response.ContentType!, static _ => { });
                // Once everything preloaded was read, the rest is long polls on empty queues: the rate ends here.
                if (Interlocked.Add(ref messages, count) >= preloaded)
                {
                    lock (latency) if (busyFor == TimeSpan.Zero) busyFor = clock.Elapsed;
                    stop.Cancel();
                }
                path = response.PullNext!;
            }
        }))).ToArray();

        long lastReads = 0;
        while (!Task.WhenAll(workers).IsCompleted)
        {
            await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000));
            var now = Interlocked.Read(ref reads);
            Console.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  {now - lastReads,8:N0} reads/s  {Interlocked.Read(ref messages),10:N0} messages so far");
            lastReads = now;
        }
        lock (latency) if (busyFor == TimeSpan.Zero) busyFor = clock.Elapsed;
        if (allocations is not null)
        {
            // CPU per read tells what a read costs the server even when other tenants take the machine's time.
            var cpu = await allocations.CpuSecondsAsync() - cpuBefore;
            Console.WriteLine($"server: {cpu * 1e6 / Math.Max(1, reads):N1} µs CPU and {(await allocations.AllocatedBytesAsync() - allocatedBefore) / (double)Math.Max(1, reads):N0} B allocated per read "
                + "(all its threads, the final long polls included)");
        }
        var seconds = busyFor.TotalSeconds;
        Console.WriteLine($"reads{(tls is null ? "" : " over mTLS")}: {reads:N0} in {seconds:F1} s = {reads / seconds:N0} reads/s, {messages / seconds:N0} messages/s, " +
                          $"{(double)messages / Math.Max(1, reads):F2} messages per read; latency p50 {latency.Millis(50):F2} ms, p99 {latency.Millis(99):F2} ms");
        return 0;
    }

    private static async Task<long> PreloadAsync(TargetList targets, ClientTls? tls, MessageFactory factory, string[] ispbs, int perPsp)
    {
        long sent = 0, sequence = 0;
        var producers = ispbs.Select(ispb => Task.Run(async () =>
        {
            using var connection = new IcomConnection(targets.Next(), tls, MessageFactory.Spi);
            for (var i = 0; i < perPsp; i += 10)
            {
                var parts = Enumerable.Range(0, 10).Select(_ => factory.Pacs008(Interlocked.Increment(ref sequence), ispb, valid: true)).ToList();
                var (body, contentType) = BatchBody.Build(parts);
                var response = await connection.SendAsync(IcomRequests.Post(MessageFactory.Spi, contentType, body, gzip: false), CancellationToken.None);
                if (response.Status != 201) throw new InvalidOperationException($"preload got {response.Status}: start the server with a large Pix:RateLimit:Capacity and Pix:Limits:MaxBacklog");
                Interlocked.Add(ref sent, 10);
            }
        })).ToArray();
        await Task.WhenAll(producers);
        return sent;
    }
}
