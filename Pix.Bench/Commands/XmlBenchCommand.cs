using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pix.Bench.Xml;

namespace Pix.Bench.Commands;

/// <summary><c>bench-xml</c>: MessageCheck against XmlReader + XmlSchemaSet (ShortRun, in process, workstation
/// non-concurrent GC, memory diagnoser, as the allocation budgets are measured). Run with <c>-c Release</c>.</summary>
internal static class XmlBenchCommand
{
    public static int Run(string[] args)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithGcServer(false).WithGcConcurrent(false);
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new ThroughputColumn())
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summary = BenchmarkRunner.Run<MessageCheckBenchmarks>(config, args);
        return summary.HasCriticalValidationErrors ? 1 : 0;
    }
}
