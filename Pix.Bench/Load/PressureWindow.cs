using System.Diagnostics;

namespace Pix.Bench.Load;

/// <summary>
/// The stretch of a run in which the lag, slots and saturation scenarios apply their pressure (streams stop reading,
/// extra streams ask for slots, idle connections pile up), counted from the moment the producer starts. Outside it the
/// run is a plain soak, so the alert the pressure raises must also clear.
/// </summary>
internal sealed class PressureWindow(double fromSeconds, double seconds)
{
    private long _startTicks;

    public double FromSeconds => fromSeconds;
    public double Seconds => seconds;
    public bool IsEmpty => seconds <= 0;

    /// <summary>The producer starts: the window's clock begins.</summary>
    public void Start() => Interlocked.CompareExchange(ref _startTicks, Stopwatch.GetTimestamp(), 0);

    private double Elapsed => _startTicks == 0 ? -1 : Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;

    public bool IsOpen => !IsEmpty && Elapsed >= fromSeconds && Elapsed < fromSeconds + seconds;

    public bool HasClosed => !IsEmpty && Elapsed >= fromSeconds + seconds;

    public async Task WaitForOpenAsync(CancellationToken cancel)
    {
        while (!IsEmpty && !IsOpen && !HasClosed) await Task.Delay(100, cancel);
    }

    public async Task WaitWhileOpenAsync(CancellationToken cancel)
    {
        while (IsOpen) await Task.Delay(100, cancel);
    }
}
