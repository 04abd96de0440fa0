using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pix.Server.Health;
using Pix.Server.Icom;
using Pix.Server.Streams;

namespace Pix.Server.Hosting;

/// <summary>
/// The graceful stop (the deploy and load-balancer playbook). On the first SIGTERM (or SIGINT): <c>/readyz</c> turns
/// 503, every parked long poll answers 204 with its <c>PI-Pull-Next</c> and no poll parks again, new streams get 503
/// with <c>Retry-After</c>, every response closes its connection; after <c>Pix:DrainSeconds</c>, once nothing is in
/// flight, the host stops (Kestrel closes idle connections, finishes busy ones) and the store writes its checkpoint.
/// The process is gone by <c>Pix:ShutdownSeconds</c> whatever happens. A second signal exits at once: everything
/// acknowledged is already durable, so nothing acknowledged is lost by it.
/// </summary>
internal sealed partial class NodeDrain(
    DrainState state,
    StreamEngine engine,
    IcomApplication application,
    IHostApplicationLifetime lifetime,
    PixOptions options,
    ILogger<NodeDrain> log)
{
    /// <summary>Exit code of a forced exit (second signal, or the shutdown deadline), as a shell reports SIGTERM.</summary>
    public const int ForcedExitCode = 143;
    private static readonly TimeSpan StopReserve = TimeSpan.FromSeconds(2);
    private int _signals;

    public TimeSpan Shutdown => TimeSpan.FromSeconds(Math.Max(1, options.ShutdownSeconds));

    private TimeSpan DrainWindow => Min(TimeSpan.FromSeconds(Math.Max(0, options.DrainSeconds)), Shutdown - StopReserve);

    public void OnSignal(PosixSignal signal)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            LogForced(signal.ToString());
            Environment.Exit(ForcedExitCode);
        }
        _ = RunAsync(signal);
    }

    /// <summary>Drain mode without stopping: also used when the host stops for another reason.</summary>
    public void Begin()
    {
        if (!state.Begin()) return;
        engine.BeginDrain();
    }

    private async Task RunAsync(PosixSignal signal)
    {
        var started = TimeProvider.System.GetTimestamp();
        // The deadline holds even if a stop step hangs (a stuck disk, a connection that never closes).
        _ = Task.Delay(Shutdown).ContinueWith(_ =>
        {
            LogDeadline(Shutdown.TotalSeconds);
            Environment.Exit(ForcedExitCode);
        }, TaskScheduler.Default);
        LogDraining(signal.ToString(), DrainWindow.TotalSeconds, Shutdown.TotalSeconds);
        Begin();
        await Task.Delay(DrainWindow).ConfigureAwait(false);
        // In-flight requests finish here; the listeners close only once none is left (or the drain's time is up).
        var latest = Shutdown - StopReserve;
        while (application.InFlight > 0 && TimeProvider.System.GetElapsedTime(started) < latest)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
        LogStopping(application.InFlight, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
        lifetime.StopApplication();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Signal}: draining for {DrainSeconds} s (readyz 503, parked polls answered, new streams refused), exit within {ShutdownSeconds} s")]
    private partial void LogDraining(string signal, double drainSeconds, double shutdownSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain done after {Seconds:F1} s with {InFlight} requests in flight: closing listeners and connections")]
    private partial void LogStopping(int inFlight, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Second {Signal}: exiting now")]
    private partial void LogForced(string signal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown did not finish within {Seconds} s (Pix:ShutdownSeconds): exiting now")]
    private partial void LogDeadline(double seconds);
}
