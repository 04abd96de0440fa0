namespace Pix.Bench.Load;

/// <summary>Where a run is: producing at the target rate, draining the queues, or done.</summary>
internal enum LoadPhase
{
    Producing,
    Draining,
    Done,
}
