namespace Pix.Bench.Reads;

/// <summary>What <c>reads</c> measures when it starts its own servers.</summary>
internal sealed record ReadComparisonOptions(
    IReadOnlyList<ReadConfiguration> Configurations, int Runs, int Psps, int Streams, long PerPsp,
    TimeSpan Warmup, TimeSpan Duration, bool Half, string? Wrk, int ServerCpu, int ClientCpu, bool Progress);
