using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pix.Bench.Compare;

/// <summary>
/// A Pix server started by <c>compare</c> as a child process, pinned with <c>taskset -c {cpu}</c> (taskset execs, so
/// the child is the server itself and its CPU time is the server's), on free loopback ports read from its startup line.
/// </summary>
internal sealed partial class ServerUnderTest : IDisposable
{
    private readonly Process _process;
    private readonly string _data;

    public int Port { get; }
    public int AdminPort { get; }
    public string CommandLine { get; }

    private ServerUnderTest(Process process, string data, int port, int adminPort, string commandLine)
    {
        _process = process;
        _data = data;
        Port = port;
        AdminPort = adminPort;
        CommandLine = commandLine;
    }

    public static async Task<ServerUnderTest> StartAsync(string mode, int cpu, string storage, IEnumerable<string> extra)
    {
        var data = Path.Combine(Path.GetTempPath(), $"pix-compare-{mode}-{Guid.NewGuid():N}");
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Pix.Server.dll");
        string[] args =
        [
            "-c", cpu.ToString(), "dotnet", serverDll, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data", data,
            "--storage", storage, "--Pix:Http", mode, "--Pix:Tls:Mode", "off", "--Pix:Xml:RequireSignature", "false", "--Logging:LogLevel:Default", "Warning",
            .. extra,
        ];
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            var match = e.Data is null ? Match.Empty : StartupLine().Match(e.Data);
            if (match.Success) ready.TrySetResult((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Pix ({mode}) did not start.");
        }
        var (port, admin) = await ready.Task;
        return new ServerUnderTest(process, data, port, admin, "taskset " + string.Join(' ', args).Replace(serverDll, "Pix.Server.dll").Replace(data, "/tmp/pix-compare-…"));
    }

    /// <summary>User + system CPU time the server used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"Pix listening on https?://127\.0\.0\.1:(\d+) \(ICOM\) and http://127\.0\.0\.1:(\d+) \(operator\)")]
    private static partial Regex StartupLine();
}
