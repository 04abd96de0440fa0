namespace Pix.Bench.Load;

/// <summary>The surviving region's own PSPs from the isolation on: how many answers, how many 503 (the survivor
/// waiting for the controller) and when the last was sent after the isolation, and any other 5xx (never allowed).</summary>
internal sealed record SurvivorAnswers(long Answers, long Unavailable, double? LastUnavailableAfterIsolation, long OtherServerErrors);

/// <summary>Counts the answers of <see cref="SurvivorAnswers"/> as they come, from every stream at once.</summary>
internal sealed class SurvivorTally
{
    private readonly Lock _lock = new();
    private long _answers, _unavailable, _other;
    private double? _lastUnavailable;

    /// <summary>One answer; <paramref name="sent"/>: when its request was sent, in the run's seconds.</summary>
    public void Add(int status, double sent)
    {
        lock (_lock)
        {
            _answers++;
            if (status == 503)
            {
                _unavailable++;
                _lastUnavailable = Math.Max(_lastUnavailable ?? sent, sent);
            }
            else if (status >= 500) _other++;
        }
    }

    public SurvivorAnswers Summary(double isolation)
    {
        lock (_lock) return new SurvivorAnswers(_answers, _unavailable, _lastUnavailable - isolation, _other);
    }
}
