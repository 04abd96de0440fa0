namespace Pix.Storage.Embedded;

/// <summary>
/// One piece of work for the group commit: an ingest request (encoded by the writer, which assigns ids and checks
/// dedup in log order) or a stream-state record already framed. <see cref="Done"/> completes once it is fsync'd.
/// </summary>
internal sealed class LogEntry
{
    private LogEntry(AppendBatch? batch, byte[] state)
    {
        Batch = batch;
        State = state;
    }

    public AppendBatch? Batch { get; }

    public byte[] State { get; }

    // Continuations run off the writer thread, so a slow caller never delays the next fsync.
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static LogEntry Append(AppendBatch batch) => new(batch, []);

    public static LogEntry StreamState(byte[] record) => new(null, record);
}
