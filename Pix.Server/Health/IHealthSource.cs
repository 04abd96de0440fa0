namespace Pix.Server.Health;

/// <summary>
/// One thing <c>/readyz</c> asks before it says the node can serve: the storage adapter, the drain, later the Redis
/// connection. Reading <see cref="Current"/> must be cheap and never block (a probe, if any, runs on its own timer).
/// </summary>
internal interface IHealthSource
{
    /// <summary>Short and stable (<c>storage</c>, <c>drain</c>): it names the check in /readyz and in logs.</summary>
    string Name { get; }

    HealthStatus Current { get; }
}
