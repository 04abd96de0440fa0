namespace Pix.Bench.Reads;

/// <summary>One configuration in one run of <c>reads</c>: saturation, half of it, and wrk's figure on the ceiling.</summary>
internal sealed record ReadResult(int Run, ReadConfiguration Configuration, ReadPhase Saturation, ReadPhase? Half,
    double? AllocatedBytesPerRead, double? WrkReadsPerSecond, double? WrkCpuShare);
