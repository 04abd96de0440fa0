namespace Pix.Tests.Support;

/// <summary>Runs a system command (mount, chattr, ...) and returns its exit code and output.</summary>
internal static class Shell
{
    public static (int Code, string Output) Run(string file, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>A 2 MiB tmpfs at <paramref name="directory"/>: a disk that fills up on demand (needs root).</summary>
    public static void MountSmallTmpfs(string directory, string size = "2m")
    {
        var (code, output) = Run("mount", $"-t tmpfs -o size={size} tmpfs {directory}");
        Assert.True(code == 0, $"The disk-full test needs a small tmpfs (run as root): mount said {output}");
    }
}
