using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pix.Server.Quarantine;

/// <summary>
/// Append-only JSON lines under <c>{DataDir}/audit/audit.jsonl</c>, written by one background task so a burst of
/// rejections never blocks a request. Rejections are rare by design, so records may allocate.
/// </summary>
internal sealed partial class AuditLog : IAsyncDisposable
{
    private readonly Channel<AuditRecord> _records = Channel.CreateUnbounded<AuditRecord>(new() { SingleReader = true });
    private readonly Task _writer;
    private readonly string _path;
    private readonly ILogger _log;

    public AuditLog(string dataDir, ILogger<AuditLog> log)
    {
        _log = log;
        var directory = Path.Combine(dataDir, "audit");
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "audit.jsonl");
        _writer = Task.Run(WriteLoopAsync);
    }

    public string FilePath => _path;

    public void Add(AuditRecord record) => _records.Writer.TryWrite(record);

    private async Task WriteLoopAsync()
    {
        await using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, useAsync: false);
        await foreach (var record in _records.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                JsonSerializer.Serialize(file, record, AuditJson.Default.AuditRecord);
                file.WriteByte((byte)'\n');
                // Flush when the burst is written, not per record.
                if (!_records.Reader.TryPeek(out _)) file.Flush(flushToDisk: true);
            }
            catch (Exception e)
            {
                LogWriteFailed(e, _path);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _records.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit log {Path}")]
    private partial void LogWriteFailed(Exception e, string path);
}
