using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Pix.Bench.Load;

/// <summary>
/// Plays the SPI: sends pacs.008 batches of 1..10 parts to random PSPs. Open loop at the target rate: a scheduler
/// stamps each batch with the time it should go out and a pool of connections sends them; latency is measured from
/// that stamp, so a server that stalls is charged for the whole wait (coordinated omission corrected). A 429 or 503
/// pauses every sender for its Retry-After and the batch is sent again (Pix deduplicates on BizMsgIdr, so a retry
/// after an I/O error is safe too). With rate 0 it runs closed loop: each connection sends as soon as it is answered.
/// The producer stops at its own deadline, the duration after it started: on a loaded machine an open-loop producer
/// falls behind its schedule, and sending that backlog afterwards would eat the streams' drain. Whatever it had not
/// sent by then is marked "not sent" in the ledger (Pix never saw it), never counted as lost.
/// </summary>
internal sealed class SpiProducer(LoadOptions options, MessageFactory factory, Ledger ledger, LoadMetrics metrics, string[] psps)
{
    private const string Endpoint = "POST /in";
    private long _pausedUntil;

    public async Task RunAsync(CancellationToken hardStop)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(options.DurationSeconds * Stopwatch.Frequency);
        if (options.Rate <= 0)
        {
            await Task.WhenAll(Enumerable.Range(0, options.Producers).Select(_ => Task.Run(() => ClosedLoopAsync(end, hardStop))));
            return;
        }
        var queue = Channel.CreateUnbounded<ProducerBatch>(new UnboundedChannelOptions { SingleWriter = true });
        var workers = Enumerable.Range(0, options.Producers).Select(_ => Task.Run(() => SendLoopAsync(queue.Reader, end, hardStop))).ToArray();
        var offset = 0.0;
        while (offset < options.DurationSeconds && !hardStop.IsCancellationRequested)
        {
            var due = start + (long)(offset * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, hardStop).ContinueWith(_ => { }, TaskScheduler.Default);
            var batch = NewBatch(due);
            queue.Writer.TryWrite(batch);
            offset += batch.Count / options.RateAt(offset);
        }
        queue.Writer.Complete();
        await Task.WhenAll(workers);
    }

    private ProducerBatch NewBatch(long intended)
    {
        var size = Random.Shared.Next(1, options.BatchMax + 1);
        var to = new string[size];
        var valid = new bool[size];
        for (var i = 0; i < size; i++)
        {
            to[i] = psps[Random.Shared.Next(psps.Length)];
            valid[i] = Random.Shared.NextDouble() >= options.InvalidShare;
        }
        return new ProducerBatch(ledger.Reserve(size, intended), intended, to, valid);
    }

    private async Task ClosedLoopAsync(long end, CancellationToken hardStop)
    {
        using var connection = new RoutedConnection(options, MessageFactory.Spi);
        try
        {
            while (Stopwatch.GetTimestamp() < end && !hardStop.IsCancellationRequested)
            {
                await SendAsync(connection, NewBatch(Stopwatch.GetTimestamp()), end, hardStop);
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
        }
    }

    private async Task SendLoopAsync(ChannelReader<ProducerBatch> queue, long end, CancellationToken hardStop)
    {
        using var connection = new RoutedConnection(options, MessageFactory.Spi);
        try
        {
            await foreach (var batch in queue.ReadAllAsync(hardStop))
            {
                if (Stopwatch.GetTimestamp() < end) await SendAsync(connection, batch, end, hardStop);
                else NotSent(batch);
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(RoutedConnection connection, ProducerBatch batch, long end, CancellationToken hardStop)
    {
        var messages = new byte[batch.Count][];
        for (var i = 0; i < batch.Count; i++) messages[i] = factory.Pacs008(batch.FirstSeq + i, batch.To[i], batch.Valid[i]);
        var (body, contentType) = BatchBody.Build(messages);
        var gzip = Random.Shared.NextDouble() < options.GzipShare;
        var request = IcomRequests.Post(MessageFactory.Spi, contentType, gzip ? BatchBody.Gzip(body) : body, gzip);
        for (var attempt = 0; !hardStop.IsCancellationRequested; attempt++)
        {
            await WaitWhilePausedAsync(end, hardStop);
            if (Stopwatch.GetTimestamp() >= end)
            {
                // Past the deadline nothing new goes out. A batch never tried was not sent; a retry (after a 429, a
                // 503 or a lost answer) gives up as below.
                if (attempt > 0) break;
                NotSent(batch);
                return;
            }
            var sent = Stopwatch.GetTimestamp();
            IcomResponse response;
            try
            {
                response = await connection.SendAsync(request, hardStop);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !hardStop.IsCancellationRequested)
            {
                metrics.Error(Endpoint + " I/O");
                // Failover: the batch goes again (dedup keeps it once) until some region stores it.
                if (attempt < 3 || options.Routes is not null) continue;
                break;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            metrics.Request(Endpoint, response.Status, now - sent);
            switch (response.Status)
            {
                case 201:
                    for (var i = 0; i < batch.Count; i++) ledger.Accepted(batch.FirstSeq + i, batch.Valid[i]);
                    metrics.Produced(batch.Count, now - batch.IntendedTicks, now - sent);
                    return;
                case 429 or 503:
                    metrics.TooMany(response.Status == 503 ? "storage unavailable (503)" : TooManyCause.Of(Endpoint, response.Body.Span));
                    Pause(Math.Max(1, response.RetryAfterSeconds));
                    continue;
                default:
                    metrics.Error($"{Endpoint} {response.Status}");
                    for (var i = 0; i < batch.Count; i++) ledger.Refused(batch.FirstSeq + i);
                    return;
            }
        }
        for (var i = 0; i < batch.Count; i++) ledger.Refused(batch.FirstSeq + i);
    }

    private void NotSent(ProducerBatch batch)
    {
        for (var i = 0; i < batch.Count; i++) ledger.NotSent(batch.FirstSeq + i);
    }

    private void Pause(int seconds)
    {
        var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        long seen;
        while ((seen = Volatile.Read(ref _pausedUntil)) < until && Interlocked.CompareExchange(ref _pausedUntil, until, seen) != seen)
        {
        }
    }

    private async Task WaitWhilePausedAsync(long end, CancellationToken hardStop)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Min(end, Volatile.Read(ref _pausedUntil)));
        if (wait > TimeSpan.Zero) await Task.Delay(wait, hardStop);
    }
}
