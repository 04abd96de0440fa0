using System.Diagnostics;

namespace Pix.Tests.Support;

/// <summary>
/// A clock that stands still until told, and whose timer (the last one created) fires only when the test says: for
/// code that does its periodic work on a <see cref="TimeProvider"/> timer (the Date header, the stream sweeper).
/// </summary>
internal sealed class FiringClock(DateTimeOffset start) : TimeProvider
{
    private TimeSpan _elapsed;
    private TimerCallback? _callback;
    private object? _state;

    public override DateTimeOffset GetUtcNow() => start + _elapsed;

    // One second in at the start, so no timestamp is zero.
    public override long GetTimestamp() => Stopwatch.Frequency + _elapsed.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _elapsed += by;

    /// <summary>Runs the timer's callback once, on the caller's thread.</summary>
    public void Fire() => _callback!(_state);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _callback = callback;
        _state = state;
        return new Idle();
    }

    private sealed class Idle : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
