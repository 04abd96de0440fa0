using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pix.Bench.Load;

/// <summary>
/// Everything measured while loaded: a histogram per endpoint and status, the producer's latency measured from each
/// batch's intended send time (coordinated-omission corrected: a stalled server delays the schedule, and that wait
/// counts), delivery latency (intended send to receipt by a PSP), 429s by cause, errors, and one sample per second.
/// </summary>
internal sealed class LoadMetrics
{
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<string, LatencyHistogram> _byEndpoint = new();
    private readonly ConcurrentDictionary<string, long> _tooManyByCause = new();
    private readonly ConcurrentDictionary<string, long> _errorsByKind = new();
    private readonly List<IntervalSample> _intervals = [];
    private long _requests, _errors, _abandoned;

    public LatencyHistogram ProducerCorrected { get; } = new();
    public LatencyHistogram ProducerService { get; } = new();
    public LatencyHistogram Delivery { get; } = new();

    public long Requests => Volatile.Read(ref _requests);
    public long Errors => Volatile.Read(ref _errors);
    public long AbandonedStreams => Volatile.Read(ref _abandoned);
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTicks);
    public IReadOnlyDictionary<string, LatencyHistogram> ByEndpoint => _byEndpoint;
    public IReadOnlyDictionary<string, long> TooManyByCause => _tooManyByCause;
    public IReadOnlyDictionary<string, long> ErrorsByKind => _errorsByKind;

    public IReadOnlyList<IntervalSample> Intervals
    {
        get { lock (_intervals) return [.. _intervals]; }
    }

    public void Request(string endpoint, int status, long serviceTicks)
    {
        Interlocked.Increment(ref _requests);
        _byEndpoint.GetOrAdd($"{endpoint} {status}", static _ => new LatencyHistogram()).RecordTicks(serviceTicks);
        Interlocked.Increment(ref Now().Requests);
        if (status == 429) Interlocked.Increment(ref Now().TooMany);
    }

    public void Produced(int accepted, long correctedTicks, long serviceTicks)
    {
        ProducerCorrected.RecordTicks(correctedTicks);
        ProducerService.RecordTicks(serviceTicks);
        var now = Now();
        now.Post.RecordTicks(correctedTicks);
        Interlocked.Add(ref now.MessagesAccepted, accepted);
    }

    public void Delivered(long latencyTicks)
    {
        var now = Now();
        Interlocked.Increment(ref now.MessagesReceived);
        if (latencyTicks < 0) return;
        Delivery.RecordTicks(latencyTicks);
        now.Delivery.RecordTicks(latencyTicks);
    }

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    public void ServerMemory(long rssBytes, long heapBytes)
    {
        var now = Now();
        Volatile.Write(ref now.ServerRssBytes, rssBytes);
        Volatile.Write(ref now.ServerHeapBytes, heapBytes);
    }

    public void TooMany(string cause) => _tooManyByCause.AddOrUpdate(cause, 1, static (_, n) => n + 1);

    public void Error(string kind)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.Increment(ref Now().Errors);
        _errorsByKind.AddOrUpdate(kind, 1, static (_, n) => n + 1);
    }

    private IntervalSample Now()
    {
        var second = (int)Elapsed.TotalSeconds;
        lock (_intervals)
        {
            while (_intervals.Count <= second) _intervals.Add(new IntervalSample(_intervals.Count));
            return _intervals[second];
        }
    }
}
