using Microsoft.Extensions.Logging;
using Pix.Storage;

namespace Pix.Server.Health;

/// <summary>
/// Whether storage can take writes, from two signals: the store's own verdict (<see cref="IQueueStore.Health"/>: its
/// last write failed, its writer stopped, Redis unreachable) and, for a store that writes files, a probe that creates,
/// fsyncs and deletes a small file in the store's directory every <c>Pix:Health:ProbeSeconds</c>. The probe sees a
/// broken directory (full, read-only, immutable) before the next segment roll needs it and while no client writes;
/// a probe that hangs (a stuck disk) counts as failing.
/// </summary>
internal sealed partial class StorageHealth : IHealthSource, IDisposable
{
    private static readonly TimeSpan HungProbe = TimeSpan.FromSeconds(5);
    private readonly IQueueStore _store;
    private readonly string? _probePath;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ITimer? _timer;
    private readonly Lock _reportLock = new();
    private volatile string? _probeFailure;
    private long _probeStartedTicks;
    private int _probing;
    private bool _reportedUnhealthy;

    /// <param name="probeDirectory">The directory the store writes into; null for a store without files (memory, Redis).</param>
    public StorageHealth(IQueueStore store, string? probeDirectory, TimeSpan probeEvery, TimeProvider clock, ILogger<StorageHealth> log)
    {
        _store = store;
        _clock = clock;
        _log = log;
        if (probeDirectory is null || probeEvery <= TimeSpan.Zero) return;
        _probePath = Path.Combine(probeDirectory, ".pix-health-probe");
        _timer = clock.CreateTimer(_ => Probe(), null, TimeSpan.Zero, probeEvery);
    }

    public string Name => "storage";

    public HealthStatus Current
    {
        get
        {
            var store = _store.Health;
            if (!store.Healthy) return HealthStatus.Failing($"The {_store.Kind} store cannot take writes: {store.Reason}");
            var started = Volatile.Read(ref _probeStartedTicks);
            if (started != 0 && _clock.GetElapsedTime(started) > HungProbe)
                return HealthStatus.Failing($"The storage probe has not finished for {_clock.GetElapsedTime(started).TotalSeconds:F0} s: the disk does not answer.");
            return _probeFailure is { } probe ? HealthStatus.Failing(probe) : HealthStatus.Ok;
        }
    }

    private void Probe()
    {
        if (Interlocked.Exchange(ref _probing, 1) != 0) return;
        Volatile.Write(ref _probeStartedTicks, _clock.GetTimestamp());
        try
        {
            using (var file = new FileStream(_probePath!, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                file.WriteByte(1);
                file.Flush(flushToDisk: true);
            }
            File.Delete(_probePath!);
            _probeFailure = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _probeFailure = $"Cannot create and sync a file in {Path.GetDirectoryName(_probePath)}: {e.Message}";
        }
        finally
        {
            Volatile.Write(ref _probeStartedTicks, 0);
            Volatile.Write(ref _probing, 0);
        }
        Report();
    }

    // Logs each change once, so the log says when storage broke and when it came back.
    private void Report()
    {
        var current = Current;
        lock (_reportLock)
        {
            if (current.Healthy == !_reportedUnhealthy) return;
            _reportedUnhealthy = !current.Healthy;
        }
        if (current.Healthy) LogHealthy();
        else LogUnhealthy(current.Reason);
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unhealthy, /readyz answers 503: {Reason}")]
    private partial void LogUnhealthy(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage healthy again, /readyz answers 200")]
    private partial void LogHealthy();
}
