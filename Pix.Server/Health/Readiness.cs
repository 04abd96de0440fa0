namespace Pix.Server.Health;

/// <summary>Asks every <see cref="IHealthSource"/>: the node is ready when all are healthy.</summary>
internal sealed class Readiness(IEnumerable<IHealthSource> sources)
{
    private readonly IHealthSource[] _sources = sources.ToArray();

    public IReadOnlyList<IHealthSource> Sources => _sources;

    public bool IsReady(out IReadOnlyList<(string Name, HealthStatus Status)> checks)
    {
        var results = new (string, HealthStatus)[_sources.Length];
        var ready = true;
        for (var i = 0; i < _sources.Length; i++)
        {
            var status = _sources[i].Current;
            results[i] = (_sources[i].Name, status);
            ready &= status.Healthy;
        }
        checks = results;
        return ready;
    }
}
