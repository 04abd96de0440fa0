namespace Pix.Storage;

/// <summary>What a read found; the messages themselves are in the <see cref="MessageBatch"/>.</summary>
public readonly record struct StreamReadResult(ReadStatus Status, uint Batch)
{
    public static StreamReadResult Gone => new(ReadStatus.Gone, 0);
    public static StreamReadResult Busy => new(ReadStatus.Busy, 0);
}

public enum ReadStatus : byte
{
    /// <summary>The batch numbered <see cref="StreamReadResult.Batch"/> is in the <see cref="MessageBatch"/> (maybe empty).</summary>
    Ok = 0,
    /// <summary>The stream does not exist (closed, expired, unknown), or the token is older than the previous one.</summary>
    Gone = 1,
    /// <summary>Another request holds the stream's lease (409).</summary>
    Busy = 2,
}
