using Pix.Protocol.Ids;
using Pix.Storage;

namespace Pix.Bench.Embedded;

/// <summary>
/// A client's view of one stream, straight over the storage port (no HTTP): the token it holds, reads that
/// acknowledge by advancing, repeats, closes. For tools and tests that drive a store the way a PSP drives Pix;
/// a read that comes back empty gives its lease back at once, since nobody parks here.
/// </summary>
public sealed class StoreCursor(IQueueStore store, Ispb ispb, StreamTimes times)
{
    public static readonly StreamTimes LongTimes = new(60_000, 3_600_000);
    private static long _leases;

    public StoreCursor(IQueueStore store, Ispb ispb) : this(store, ispb, LongTimes)
    {
    }

    public Ispb Ispb => ispb;
    public ulong StreamId { get; private set; }
    /// <summary>The token this client holds: the number of the last batch it was given (0 before the first read).</summary>
    public uint Token { get; private set; }

    public async Task<bool> OpenAsync(int maxStreams = 6)
    {
        var opened = await store.OpenStreamAsync(ispb, maxStreams, times);
        if (!opened.Opened) return false;
        StreamId = opened.StreamId;
        Token = 0;
        return true;
    }

    /// <summary>Takes over a stream another client (or a killed run) held, at the token it held.</summary>
    public void Resume(ulong streamId, uint token)
    {
        StreamId = streamId;
        Token = token;
    }

    /// <summary>The next read: acknowledges the batch of <see cref="Token"/> and claims the next.</summary>
    public Task<ReadStatus> NextAsync(MessageBatch into, int max = MessageBatch.Capacity) => ReadAsync(Token, into, max);

    /// <summary>Repeats the read whose answer was lost (the previous token): the same batch comes again.</summary>
    public Task<ReadStatus> RepeatAsync(MessageBatch into, int max = MessageBatch.Capacity) => ReadAsync(Token - 1, into, max);

    /// <summary>DELETE on the current token (acknowledging) or on the previous one (releasing the batch).</summary>
    public async Task<ReadStatus> CloseAsync(bool acknowledge)
    {
        var result = await store.CloseStreamAsync(new CloseRequest(ispb, StreamId, acknowledge ? Token : Token - 1));
        return result.Status;
    }

    private async Task<ReadStatus> ReadAsync(uint token, MessageBatch into, int max)
    {
        var lease = (ulong)Interlocked.Increment(ref _leases);
        var result = await store.ReadAsync(new ReadRequest(ispb, StreamId, token, ReadMode.Advance, max, lease, times), into);
        if (result.Status != ReadStatus.Ok) return result.Status;
        Token = result.Batch;
        if (into.Count == 0) await store.ReadAsync(new ReadRequest(ispb, StreamId, Token, ReadMode.Release, 0, lease, times), into);
        return ReadStatus.Ok;
    }
}
