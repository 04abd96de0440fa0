using System.Diagnostics.Metrics;

namespace Pix.Bench.Embedded;

/// <summary>Creates plain meters with no listener attached, as a server runs before anything scrapes it.</summary>
internal sealed class BenchMeterFactory : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose() { }
}
