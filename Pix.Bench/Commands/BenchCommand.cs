using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;

namespace Pix.Bench.Commands;

/// <summary><c>bench [filter] [BenchmarkDotNet options]</c>: the hot-path suites with the default (full) job, for
/// people. A bare first word is a filter (<c>bench StreamRead</c> = <c>--filter *StreamRead*</c>).</summary>
internal static class BenchCommand
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && !args[0].StartsWith('-')) args = ["--filter", $"*{args[0]}*", .. args[1..]];
        else if (!args.Contains("--filter")) args = ["--filter", "*", .. args];
        var config = BenchSuites.Config(Job.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(DefaultConfig.Instance.GetExporters().ToArray());
        var summaries = BenchmarkSwitcher.FromTypes(BenchSuites.All).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
