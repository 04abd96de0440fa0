using System.Diagnostics;
using System.Net.Sockets;

namespace Pix.Bench.Load;

/// <summary>
/// One stream of one PSP, as an ICOM client runs it: <c>stream/start</c>, then follow <c>PI-Pull-Next</c> (each GET
/// acknowledges the batch before), <c>Accept: multipart/mixed</c>, gzip for some. When its lifetime is up it either
/// DELETEs (acknowledging the last batch) and starts again, or walks away without a word and lets Pix's idle timeout
/// close it; the batch it held will come again, so those ids are marked as allowed to repeat. In the lag scenario it
/// stops reading while the pressure window is open; a greedy stream (slots scenario) runs only inside the window.
/// </summary>
internal sealed class PspStream(string ispb, LoadOptions options, MessageFactory factory, Ledger ledger, LoadMetrics metrics,
    PressureWindow window, bool greedy = false)
{
    private readonly bool _gzip = Random.Shared.NextDouble() < options.GzipShare;
    private readonly List<long> _held = [];
    private RoutedConnection _connection = new(options, ispb);

    /// <summary>Reads until <paramref name="stop"/>; then closes its stream with a DELETE so nothing stays claimed.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken hardStop)
    {
        string? next = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // A greedy stream leaves when the window closes; its open stream, if any, is deleted below.
                if (greedy && window.HasClosed) break;
                next = null;
                if (greedy)
                {
                    await window.WaitForOpenAsync(stop);
                    if (window.HasClosed) break;
                }
                var start = await SendAsync("GET /stream/start", IcomRequests.Start(ispb, _gzip), hardStop);
                if (start is null || start.Value.Status == 429 || start.Value.PullNext is null)
                {
                    if (start is { Status: 429 } refused) metrics.TooMany(TooManyCause.Of("GET /stream/start", refused.Body.Span));
                    await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, start?.RetryAfterSeconds ?? 1)), stop);
                    continue;
                }
                Take(start.Value);
                next = start.Value.PullNext;
                var lifetimeEnds = Stopwatch.GetTimestamp()
                    + (long)((options.LifetimeMinSeconds + Random.Shared.NextDouble() * (options.LifetimeMaxSeconds - options.LifetimeMinSeconds)) * Stopwatch.Frequency);
                while (!stop.IsCancellationRequested && next is not null && !(greedy && window.HasClosed))
                {
                    if (options.StallInWindow) await window.WaitWhileOpenAsync(stop);
                    if (Stopwatch.GetTimestamp() > lifetimeEnds)
                    {
                        if (Random.Shared.NextDouble() < options.AbandonShare) Abandon();
                        else await DeleteAsync(next, hardStop);
                        next = null;
                        break;
                    }
                    var read = await SendAsync("GET /stream/{token}", IcomRequests.Get(next, _gzip), hardStop);
                    if (read is not { Status: 200 or 204 })
                    {
                        // 410: the stream expired (this client stalled past the idle timeout); its batch comes again.
                        foreach (var seq in _held) ledger.Abandoned(seq);
                        next = null;
                        break;
                    }
                    Take(read.Value);
                    next = read.Value.PullNext;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        if (next is not null && !hardStop.IsCancellationRequested) await DeleteAsync(next, hardStop);
        _connection.Dispose();
    }

    private void Take(IcomResponse response)
    {
        _held.Clear();
        if (response.Status != 200) return;
        var body = response.Gzip ? BatchBody.Gunzip(response.Body) : response.Body;
        if (response.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
            MultipartBody.ForEachPart(body, response.ContentType, Receive);
        else Receive(body);
    }

    private void Receive(ReadOnlyMemory<byte> xml)
    {
        if (ispb == MessageFactory.Spi)
        {
            // The SPI's own queue holds the admi.002 notices for the invalid messages it sent; RltdRef/Ref names them.
            ledger.Notice(factory.SequenceIn(xml.Span, "Ref"u8));
            return;
        }
        var seq = factory.SequenceIn(xml.Span, "BizMsgIdr"u8);
        metrics.Delivered(ledger.Received(seq));
        if (seq >= 0) _held.Add(seq);
    }

    /// <summary>Walks away from the stream: the batch held now is not acknowledged and will be delivered again.</summary>
    private void Abandon()
    {
        foreach (var seq in _held) ledger.Abandoned(seq);
        metrics.Abandoned();
        _connection.Dispose();
        _connection = new RoutedConnection(options, ispb);
    }

    private async Task DeleteAsync(string next, CancellationToken hardStop)
    {
        var response = await SendAsync("DELETE /stream/{token}", IcomRequests.Delete(next), hardStop);
        // The stream is closed either way (ICOM calls 200 and 410 success), but only a 200 acknowledged the held batch.
        ledger.Closed(_held, response?.Status);
        _held.Clear();
    }

    private async Task<IcomResponse?> SendAsync(string endpoint, byte[] request, CancellationToken hardStop)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            var response = await _connection.SendAsync(request, hardStop);
            Answered(endpoint, response.Status, sent);
            // Failover: a 503 (the survivor waiting for the controller) or a 409 (a lease held by a request the lost
            // region never finished) is sent again as it is, token and all, until the region that serves it answers.
            while (options.Routes is not null && response.Status is 503 or 409 && !hardStop.IsCancellationRequested)
            {
                metrics.Error($"{endpoint} {response.Status}");
                await Task.Delay(250, hardStop);
                sent = Stopwatch.GetTimestamp();
                response = await _connection.SendAsync(request, hardStop);
                Answered(endpoint, response.Status, sent);
            }
            if (response.Status is not (200 or 204 or 429 or 410)) metrics.Error($"{endpoint} {response.Status}");
            return response;
        }
        catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !hardStop.IsCancellationRequested))
        {
            // A lost response: whatever batch the server sent may come again (from this stream's expiry).
            foreach (var seq in _held) ledger.Abandoned(seq);
            metrics.Error(endpoint + " I/O");
            // Failover: the same request again, at the region the connection turned to.
            if (options.Routes is not null && !hardStop.IsCancellationRequested) return await SendAsync(endpoint, request, hardStop);
            return null;
        }
    }

    private void Answered(string endpoint, int status, long sent)
    {
        metrics.Request(endpoint, status, Stopwatch.GetTimestamp() - sent);
        options.Routes?.Answered?.Invoke(ispb, _connection.Region, status, Stopwatch.GetElapsedTime(sent));
    }
}
