namespace Pix.Bench.Reads;

/// <summary>One configuration in one run of <c>reads</c>: saturation, half of it, and wrk's figure on the ceiling.</summary>
internal sealed record ReadResult(int Run, ReadConfiguration Configuration, ReadPhase Saturation, ReadPhase? Half,
    double? AllocatedBytesPerRead, double? WrkReadsPerSecond, double? WrkCpuShare, DiskWindow? SaturationDisk = null, DiskWindow? HalfDisk = null)
{
    /// <summary>wrk's CPU per request in microseconds on the ceiling: the yardstick for <see cref="ReadPhase.ClientMicrosPerRead"/>.</summary>
    public double? WrkMicrosPerRequest => WrkReadsPerSecond is { } rate && WrkCpuShare is { } share && rate > 0 ? share * 1e6 / rate : null;
}
