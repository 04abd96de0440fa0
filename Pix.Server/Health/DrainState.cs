namespace Pix.Server.Health;

/// <summary>
/// Whether this node is draining (SIGTERM received): <c>/readyz</c> answers 503, new streams are refused with 503 and
/// <c>Retry-After</c>, and every response closes its connection. Read on every request: one volatile read.
/// </summary>
internal sealed class DrainState : IHealthSource
{
    private int _draining;

    public string Name => "drain";

    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    public HealthStatus Current => IsDraining ? HealthStatus.Failing("The node is draining: it finishes what is in flight, then stops.") : HealthStatus.Ok;

    /// <summary>Turns draining on; true for the caller that turned it on.</summary>
    public bool Begin() => Interlocked.Exchange(ref _draining, 1) == 0;
}
