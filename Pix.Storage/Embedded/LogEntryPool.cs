using System.Collections.Concurrent;

namespace Pix.Storage.Embedded;

/// <summary>Reuses <see cref="LogEntry"/> objects: an entry returns itself once its caller has read the result.</summary>
internal sealed class LogEntryPool
{
    private const int MaxKept = 4096;
    private readonly ConcurrentQueue<LogEntry> _free = new();

    public LogEntry Rent() => _free.TryDequeue(out var entry) ? entry : new LogEntry(this);

    public void Return(LogEntry entry)
    {
        if (_free.Count < MaxKept) _free.Enqueue(entry);
    }
}
