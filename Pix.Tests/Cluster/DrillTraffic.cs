using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;

namespace Pix.Tests.Cluster;

/// <summary>
/// The traffic of a failure drill, as well-behaved ICOM clients make it: the SPI posts batches and, on 503, 429 or
/// a lost answer, sends the same batch again (dedup makes that safe); PSP streams follow <c>PI-Pull-Next</c> and, on
/// 503, 409 or a lost answer, send the same token again (a repeated token returns the same batch). Every request's
/// time and latency is kept, so the drill can report the unavailability window and the latency inside it; the
/// <see cref="CrashLedger"/> checks the durability contract.
/// </summary>
internal sealed class DrillTraffic(int port, string[] psps)
{
    private const string Spi = ClusterCalls.Spi;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CrashLedger Ledger { get; } = new();

    /// <summary>(seconds since start, latency ms, status: 0 for a lost answer) of every POST.</summary>
    public ConcurrentQueue<(double At, double Ms, int Status)> Posts { get; } = new();

    /// <summary>The same for every stream read.</summary>
    public ConcurrentQueue<(double At, double Ms, int Status)> Reads { get; } = new();

    public double Now => _clock.Elapsed.TotalSeconds;

    public Task SendAsync(CancellationToken stop, int seed) => Task.Run(async () =>
    {
        var random = new Random(seed);
        IcomClient? client = null;
        while (!stop.IsCancellationRequested)
        {
            var to = psps[random.Next(psps.Length)];
            var batch = Enumerable.Range(0, random.Next(1, 6)).Select(_ => TestMessages.Pacs008(Spi, to)).ToList();
            // The same batch until it is stored: a 201 is the only answer that promises anything.
            while (!stop.IsCancellationRequested)
            {
                var response = await Timed(Posts, async () => await (client ??= new IcomClient(port)).PostMultipartAsync(Spi, batch), () => Drop(ref client));
                if (response?.Status == 201)
                {
                    Ledger.Created(response.Header("PI-ResourceId")!.Split(','));
                    break;
                }
                await Task.Delay(RetryPause, CancellationToken.None);
            }
        }
        client?.Dispose();
    });

    public Task ReadAsync(string psp, CancellationToken stop) => Task.Run(async () =>
    {
        IcomClient? client = null;
        string? token = null;
        List<string> held = [];
        while (!stop.IsCancellationRequested)
        {
            var sentAt = Ledger.Tick();
            var path = token;
            var response = await Timed(Reads, async () =>
            {
                client ??= new IcomClient(port);
                return path is null ? await client.StartAsync(psp) : await client.GetAsync(path);
            }, () => Drop(ref client));
            switch (response?.Status)
            {
                case 200 or 204:
                    // This answer acknowledged the batch before it (durably, before it was sent).
                    if (token is not null) Ledger.Acknowledged(held);
                    held = IcomClient.Messages(response).Select(m => m.Id).ToList();
                    Ledger.Delivered(held, sentAt);
                    token = response.Header("PI-Pull-Next");
                    break;
                case 410:
                    // Expired while the store was away: its batch went back to the queue and comes again.
                    token = null;
                    held = [];
                    break;
                default:
                    // 503, 409 (a dead request's lease), 429 (slots held by dead requests) or a lost answer: same again.
                    await Task.Delay(RetryPause, CancellationToken.None);
                    break;
            }
        }
        if (token is not null)
        {
            try
            {
                var closed = await (client ??= new IcomClient(port)).DeleteAsync(token);
                if (closed.Status == 200) Ledger.Acknowledged(held);
            }
            catch (Exception e) when (Lost(e)) { }
        }
        client?.Dispose();
    });

    /// <summary>Reads every PSP's queue until the store says nothing is left unacknowledged.</summary>
    public async Task DrainAsync(PixServerProcess admin, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var psp in psps)
        {
            while (true)
            {
                Assert.True(clock.Elapsed < timeout, $"the queue of {psp} did not drain");
                using var client = new IcomClient(port);
                var sentAt = Ledger.Tick();
                var response = await client.StartAsync(psp);
                if (response.Status != 200 && response.Status != 204)
                {
                    await Task.Delay(250); // slots held by streams the drill left behind, until they idle out
                    continue;
                }
                while (response.Status == 200)
                {
                    var ids = IcomClient.Messages(response).Select(m => m.Id).ToList();
                    Ledger.Delivered(ids, sentAt);
                    sentAt = Ledger.Tick();
                    response = await client.GetAsync(response.Header("PI-Pull-Next")!);
                    if (response.Status is 200 or 204) Ledger.Acknowledged(ids);
                }
                if (response.Header("PI-Pull-Next") is { } last) await client.DeleteAsync(last);
                if ((await ClusterCalls.ViewAsync(admin, psp)).Unacknowledged == 0) break;
                await Task.Delay(250);
            }
        }
    }

    private async Task<RawResponse?> Timed(ConcurrentQueue<(double, double, int)> log, Func<Task<RawResponse>> call, Action drop)
    {
        var at = Now;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await call();
            log.Enqueue((at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.Status));
            return response;
        }
        catch (Exception e) when (Lost(e))
        {
            log.Enqueue((at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0));
            drop();
            return null;
        }
    }

    private static void Drop(ref IcomClient? client)
    {
        client?.Dispose();
        client = null;
    }

    private static bool Lost(Exception e) => e is IOException or SocketException or EndOfStreamException or OperationCanceledException;

    /// <summary>The requests sent in [from, to) seconds: how many, how many failed, and their p99 latency.</summary>
    public static (int Count, int Failed, double P99) Window(IEnumerable<(double At, double Ms, int Status)> log, double from, double to, params int[] ok)
    {
        var inside = log.Where(e => e.At >= from && e.At < to).ToList();
        if (inside.Count == 0) return (0, 0, 0);
        var sorted = inside.Select(e => e.Ms).Order().ToList();
        return (inside.Count, inside.Count(e => !ok.Contains(e.Status)), sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]);
    }
}
