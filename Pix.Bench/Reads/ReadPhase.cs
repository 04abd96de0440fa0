namespace Pix.Bench.Reads;

/// <summary>What one measured window of <c>reads</c> gave. Latency percentiles count from each request's due time;
/// <see cref="ServiceP99"/> from its send (the same in a closed loop); <see cref="ClientDelayP99"/> is how late the
/// client itself sent (see <see cref="MeasuredStream.ClientDelay"/>).</summary>
internal sealed record ReadPhase(
    double Seconds, long Reads, long Messages, double P50, double P99, double P999,
    double? ServerCpuShare, double ClientCpuShare, bool EndedEarly, string? Failure, double ServiceP99 = 0, double ClientDelayP99 = 0)
{
    public double ReadsPerSecond => Reads / Seconds;
    public double MessagesPerRead => Reads == 0 ? 0 : (double)Messages / Reads;

    /// <summary>Server CPU per read in microseconds (the server's CPU time over the window / reads), when known.</summary>
    public double? ServerMicrosPerRead => ServerCpuShare is { } share && Reads > 0 ? share * Seconds * 1e6 / Reads : null;

    /// <summary>This process's CPU per read in microseconds: the client's own cost, beside wrk's.</summary>
    public double? ClientMicrosPerRead => Reads > 0 ? ClientCpuShare * Seconds * 1e6 / Reads : null;
}
