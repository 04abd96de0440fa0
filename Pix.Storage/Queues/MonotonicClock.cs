namespace Pix.Storage.Queues;

/// <summary>Milliseconds of a monotonic clock: leases and idle deadlines of in-process stores must not jump with
/// the wall clock.</summary>
public static class MonotonicClock
{
    public static long NowMs(TimeProvider clock) => clock.GetTimestamp() / (clock.TimestampFrequency / 1000);
}
