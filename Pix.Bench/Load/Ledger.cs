using System.Diagnostics;

namespace Pix.Bench.Load;

/// <summary>
/// Every message the producer made, by sequence number: whether Pix accepted it (201), how often a PSP received it,
/// whether it sat in a batch a stream abandoned (a redelivery is then allowed), and for an invalid one whether its
/// admi.002 came back. Chunked arrays grow on demand, so closed-loop runs of unknown length fit too.
/// </summary>
internal sealed class Ledger
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private LedgerEntry[]?[] _chunks = new LedgerEntry[]?[64];
    private long _next;
    private long _foreign;
    private long _received;
    private long _accepted;
    private readonly object _grow = new();

    /// <summary>Reserves <paramref name="count"/> sequence numbers; returns the first.</summary>
    public long Reserve(int count, long intendedTicks)
    {
        var first = Interlocked.Add(ref _next, count) - count;
        for (var seq = first; seq < first + count; seq++) Entry(seq).IntendedTicks = intendedTicks;
        return first;
    }

    public long Produced => Volatile.Read(ref _next);
    public long AcceptedCount => Volatile.Read(ref _accepted);
    public long ReceivedCount => Volatile.Read(ref _received);

    public void Accepted(long seq, bool valid)
    {
        Volatile.Write(ref Entry(seq).State, valid ? LedgerEntry.AcceptedValid : LedgerEntry.AcceptedInvalid);
        if (valid) Interlocked.Increment(ref _accepted);
    }

    public void Refused(long seq) => Volatile.Write(ref Entry(seq).State, LedgerEntry.Refused);

    /// <summary>The producer's duration ended before this message's turn came: it was never offered to Pix.</summary>
    public void NotSent(long seq) => Volatile.Write(ref Entry(seq).State, LedgerEntry.NotSent);

    /// <summary>Counts a delivery; returns the delivery latency in Stopwatch ticks (from the intended send time) for
    /// the first receipt, -1 for a repeat (a redelivery after an abandoned stream would otherwise add the idle timeout).</summary>
    public long Received(long seq)
    {
        if (seq < 0 || seq >= Produced)
        {
            Interlocked.Increment(ref _foreign);
            return -1;
        }
        ref var entry = ref Entry(seq);
        if (Interlocked.Increment(ref entry.Received) != 1) return -1;
        Interlocked.Increment(ref _received);
        return Stopwatch.GetTimestamp() - entry.IntendedTicks;
    }

    public void Abandoned(long seq)
    {
        if (seq >= 0 && seq < Produced) Volatile.Write(ref Entry(seq).Abandoned, 1);
    }

    /// <summary>A stream closed with a DELETE answered <paramref name="status"/>. Only a 200 acknowledges the batch it
    /// held; a 410 means the stream had already expired, so that batch went back to the queue unacknowledged and its
    /// messages will come again (on another stream), which is a redelivery and not a duplicate.</summary>
    public void Closed(IEnumerable<long> held, int? status)
    {
        if (status == 200) return;
        foreach (var seq in held) Abandoned(seq);
    }

    public void Notice(long seq)
    {
        if (seq >= 0 && seq < Produced) Interlocked.Increment(ref Entry(seq).Notices);
        else Interlocked.Increment(ref _foreign);
    }

    /// <summary>True once every accepted valid message arrived and every accepted invalid one has its notice.</summary>
    public bool Complete(bool expectNotices)
    {
        var produced = Produced;
        for (long seq = 0; seq < produced; seq++)
        {
            ref var entry = ref Entry(seq);
            var state = Volatile.Read(ref entry.State);
            if (state == LedgerEntry.Unknown) return false;
            if (state == LedgerEntry.AcceptedValid && Volatile.Read(ref entry.Received) == 0) return false;
            if (expectNotices && state == LedgerEntry.AcceptedInvalid && Volatile.Read(ref entry.Notices) == 0) return false;
        }
        return true;
    }

    public LedgerVerdict Verdict(bool expectNotices)
    {
        long accepted = 0, invalid = 0, refused = 0, notSent = 0, distinct = 0, lost = 0, allowed = 0, unexpected = 0, leaked = 0, notices = 0, missing = 0;
        var produced = Produced;
        for (long seq = 0; seq < produced; seq++)
        {
            var entry = Entry(seq);
            switch (entry.State)
            {
                case LedgerEntry.AcceptedValid:
                    accepted++;
                    if (entry.Received == 0) lost++;
                    break;
                case LedgerEntry.AcceptedInvalid:
                    invalid++;
                    if (entry.Received > 0) leaked++;
                    if (expectNotices && entry.Notices == 0) missing++;
                    break;
                case LedgerEntry.Refused:
                    refused++;
                    break;
                case LedgerEntry.NotSent:
                    notSent++;
                    break;
                default:
                    // Never answered (the run ended with the request in flight): neither stored for sure nor lost.
                    refused++;
                    break;
            }
            if (entry.Received > 0) distinct++;
            if (entry.Received > 1)
            {
                if (entry.Abandoned != 0) allowed += entry.Received - 1;
                else unexpected += entry.Received - 1;
            }
            notices += entry.Notices;
        }
        return new LedgerVerdict(produced, accepted, invalid, refused, notSent, distinct, lost, allowed, unexpected, leaked, notices, missing,
            Volatile.Read(ref _foreign));
    }

    private ref LedgerEntry Entry(long seq)
    {
        var index = (int)(seq >> ChunkBits);
        var chunks = Volatile.Read(ref _chunks);
        if (index >= chunks.Length || chunks[index] is null) chunks = Grow(index);
        return ref chunks[index]![(int)(seq & (ChunkSize - 1))];
    }

    private LedgerEntry[]?[] Grow(int index)
    {
        lock (_grow)
        {
            var chunks = _chunks;
            if (index >= chunks.Length)
            {
                var larger = new LedgerEntry[]?[Math.Max(index + 1, chunks.Length * 2)];
                chunks.CopyTo(larger, 0);
                chunks = larger;
            }
            chunks[index] ??= new LedgerEntry[ChunkSize];
            Volatile.Write(ref _chunks, chunks);
            return chunks;
        }
    }
}
