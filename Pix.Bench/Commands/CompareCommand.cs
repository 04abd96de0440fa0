using System.Diagnostics;
using Pix.Bench.Compare;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>pix-bench compare [--duration 15] [--fixed-rate 1000] [--psps 50] [--docs docs/benchmarks.md]</c>: runs the same
/// load against Pix in <c>pipeline</c> mode and in <c>aspnet</c> mode, one after the other on the same machine, and
/// writes the ratio table into docs/benchmarks.md. Pins itself to the client CPU and the servers to the server CPU.
/// </summary>
internal static class CompareCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        CompareOptions options;
        try
        {
            options = CompareOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        if (OperatingSystem.IsLinux()) Process.GetCurrentProcess().ProcessorAffinity = 1 << options.ClientCpu;
        var results = new List<ModeResult>();
        foreach (var mode in options.Modes) results.Add(await new ModeComparison(options).RunAsync(mode));
        var command = "dotnet run -c Release --project Pix.Bench -- compare " + string.Join(' ', args);
        ComparisonWriter.Write(options.Docs, options, results, MachineDescription.Read(), command.TrimEnd());
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Mode,-9} {r.SaturationRequestsPerSecond,8:N0} req/s at saturation, {r.CpuMicrosPerRequest,6:F1} µs CPU/req,"
                + $" {r.AllocatedBytesPerRequest,8:N0} B/req, POST p99 {r.FixedPostP99:F1} ms at {options.FixedRate:N0} msg/s, ledger {(r.LedgerPassed ? "ok" : "FAILED")}");
        }
        Console.WriteLine($"Wrote {Path.GetFullPath(options.Docs)}");
        return results.All(r => r.LedgerPassed) ? 0 : 1;
    }
}
