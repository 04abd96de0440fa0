using System.Diagnostics;

namespace Pix.Bench.Compare;

/// <summary>The machine a comparison ran on: <c>nproc</c>, <c>lscpu | head -20</c>, <c>free -h</c>.</summary>
internal static class MachineDescription
{
    public static string Read() =>
        $"$ nproc\n{Run("nproc", "")}\n$ lscpu | head -20\n{string.Join('\n', Run("lscpu", "").Split('\n').Take(20))}\n$ free -h\n{Run("free", "-h")}";

    private static string Run(string file, string args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output.TrimEnd();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "(not available)";
        }
    }
}
