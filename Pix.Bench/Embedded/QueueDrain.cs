using Pix.Protocol.Ids;
using Pix.Storage;

namespace Pix.Bench.Embedded;

/// <summary>
/// Acknowledges what ingest benchmarks store, straight through the store (no HTTP), so the queue stays short and
/// the adapter reaches a steady state instead of growing for the whole run. Runs every <c>interval</c> ingests.
/// </summary>
internal sealed class QueueDrain(IQueueStore store, Ispb ispb, int interval)
{
    private static readonly StreamTimes Times = new(60_000, 3_600_000);
    private readonly MessageBatch _batch = new();
    private ulong _stream;
    private uint _current;
    private int _pending;

    public void Open()
    {
        var opened = Wait(store.OpenStreamAsync(ispb, int.MaxValue, Times));
        if (!opened.Opened) throw new InvalidOperationException("No stream slot for the drain.");
        _stream = opened.StreamId;
        _current = 0;
    }

    /// <summary>Counts <paramref name="stored"/> new messages and drains once <c>interval</c> have accumulated.</summary>
    public void Stored(int stored)
    {
        _pending += stored;
        if (_pending < interval) return;
        while (_pending > 0)
        {
            // Acknowledge the previous batch and claim the next; the last round leaves one claimed batch behind,
            // which the following drain acknowledges.
            var read = Wait(store.ReadAsync(new ReadRequest(ispb, _stream, _current, ReadMode.Advance, MessageBatch.Capacity, 1, Times), _batch));
            if (read.Status != ReadStatus.Ok) throw new InvalidOperationException($"Drain read: {read.Status}");
            _current = read.Batch;
            if (_batch.Count == 0)
            {
                // An empty read keeps its lease (it would park): give it back.
                Wait(store.ReadAsync(new ReadRequest(ispb, _stream, _current, ReadMode.Release, 0, 1, Times), _batch));
                break;
            }
            _pending -= _batch.Count;
        }
        _pending = 0;
    }

    // The memory adapter completes at once; the embedded one after its fsync, on a pool thread. Spinning on the
    // ValueTask itself (as EmbeddedServer spins on its pipe) waits without allocating: AsTask() would allocate a Task
    // and a continuation per wait, which the ingest benchmarks would count as the store's.
    private static T Wait<T>(ValueTask<T> pending)
    {
        var spin = new SpinWait();
        while (!pending.IsCompleted) spin.SpinOnce();
        return pending.Result;
    }
}
