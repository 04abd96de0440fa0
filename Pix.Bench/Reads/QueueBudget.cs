namespace Pix.Bench.Reads;

/// <summary>
/// The messages preloaded into one PSP's queue and not yet read. Its streams count down what they receive; the read
/// that takes the last one ends the window, because the reads after it would only wait on long polls. The ceiling's
/// queues never run dry (<see cref="Endless"/>).
/// </summary>
internal sealed class QueueBudget(long messages)
{
    private long _left = messages;

    public static QueueBudget Endless => new(long.MaxValue);

    public void Add(long messages) => Interlocked.Add(ref _left, messages);

    /// <summary>Counts <paramref name="messages"/> received; false once the queue holds nothing more.</summary>
    public bool Take(int messages) => Interlocked.Add(ref _left, -messages) > 0;
}
