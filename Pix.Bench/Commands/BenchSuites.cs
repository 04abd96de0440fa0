using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pix.Bench.Suites;

namespace Pix.Bench.Commands;

/// <summary>The hot-path suites and the job settings both commands share.</summary>
internal static class BenchSuites
{
    public static readonly Type[] All =
    [
        typeof(RequestPathBenchmarks), typeof(StreamDeleteBenchmarks), typeof(PieceBenchmarks), typeof(EmbeddedStoreBenchmarks),
        typeof(TracingBenchmarks), typeof(SignatureBenchmarks), typeof(SignatureComparisonBenchmarks),
    ];

    /// <summary>In process (no generated project to build), Workstation non-concurrent GC as the project sets it:
    /// concurrent or server GC makes allocation and timing figures jitter (Garnet's lesson).</summary>
    public static Job Configure(Job job) => job
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithGcServer(false)
        .WithGcConcurrent(false);

    public static ManualConfig Config(Job job) => ManualConfig.CreateEmpty()
        .AddJob(Configure(job))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance);
}
