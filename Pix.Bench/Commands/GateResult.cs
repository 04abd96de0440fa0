namespace Pix.Bench.Commands;

/// <summary>One row of the gate's table. <see cref="Allocated"/> is null when the benchmark did not run.</summary>
internal sealed record GateResult(string Name, double? MeanNs, double? Gen0PerThousand, long? Allocated, long? Budget, long? Allowed, string Verdict)
{
    public bool Passed => Verdict == "ok";
}
