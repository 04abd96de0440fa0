namespace Pix.Bench.Embedded;

/// <summary>
/// A wall clock that moves one millisecond every time it is read. Given to the memory adapter with a zero dedup
/// window, every append lands in a new millisecond, so the dedup index holds one request's keys at most: its size no
/// longer follows how many requests happen to fall into one real millisecond, and it stops resizing after warm-up.
/// </summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
