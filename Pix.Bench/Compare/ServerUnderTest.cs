using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pix.Bench.Compare;

/// <summary>
/// A server started by <c>compare</c> or <c>reads</c> as a child process, pinned with <c>taskset -c {cpu}</c> (taskset
/// execs, so the child is the server itself and its CPU time is the server's), on free loopback ports read from its
/// startup line: Pix (<see cref="StartPixAsync"/>) or the ceiling (<see cref="StartCeilingAsync"/>).
/// </summary>
internal sealed partial class ServerUnderTest : IDisposable
{
    private readonly Process _process;
    private readonly string? _data;
    private readonly AllocationProbe? _metrics;
    private readonly Answers _answers;

    public int Port { get; }
    public int AdminPort { get; }
    public string CommandLine { get; }

    private ServerUnderTest(Process process, Answers answers, string? data, int port, int adminPort, string commandLine)
    {
        _process = process;
        _answers = answers;
        _data = data;
        Port = port;
        AdminPort = adminPort;
        CommandLine = commandLine;
        if (adminPort > 0) _metrics = new AllocationProbe(adminPort);
    }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Pix as the benchmarks run it: plain HTTP, signatures not checked; with <paramref name="tls"/> (the
    /// server's certificate settings) mutual TLS and signature verification on, as Pix ships.</summary>
    public static async Task<ServerUnderTest> StartPixAsync(string mode, int cpu, string storage, IEnumerable<string> extra, IReadOnlyList<string>? tls = null)
    {
        var data = Path.Combine(Path.GetTempPath(), $"pix-compare-{mode}-{Guid.NewGuid():N}");
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Pix.Server.dll");
        string[] args =
        [
            "-c", cpu.ToString(), "dotnet", serverDll, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data", data,
            "--storage", storage, "--Pix:Http", mode, "--Logging:LogLevel:Default", "Warning",
            .. tls ?? ["--Pix:Tls:Mode", "off", "--Pix:Xml:RequireSignature", "false"],
            .. extra,
        ];
        var (process, answers, ports) = await StartAsync(args, PixStartupLine(), $"Pix ({mode})");
        return new ServerUnderTest(process, answers, data, ports.Port, ports.Admin, "taskset " + string.Join(' ', args).Replace(serverDll, "Pix.Server.dll").Replace(data, "/tmp/pix-compare-…"));
    }

    /// <summary><c>pix-bench ceiling</c>: the recorded responses replayed by a bare Kestrel connection middleware.</summary>
    public static async Task<ServerUnderTest> StartCeilingAsync(int cpu)
    {
        var benchDll = Path.Combine(AppContext.BaseDirectory, "Pix.Bench.dll");
        string[] args = ["-c", cpu.ToString(), "dotnet", benchDll, "ceiling", "--listen", "127.0.0.1:0"];
        // The same thread-pool setting as Pix's runtimeconfig (no idle spinning), so the ratio compares like with like.
        var (process, answers, ports) = await StartAsync(args, CeilingStartupLine(), "the ceiling", ("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0"));
        return new ServerUnderTest(process, answers, null, ports.Port, 0, "taskset " + string.Join(' ', args).Replace(benchDll, "Pix.Bench.dll"));
    }

    /// <summary>Lines the server prints when asked something on its standard input.</summary>
    private sealed class Answers
    {
        public volatile TaskCompletionSource<long>? Allocated;
    }

    private static async Task<(Process, Answers, (int Port, int Admin))> StartAsync(string[] args, Regex startupLine, string name,
        params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The client's own socket setting (see Program) is not the server's: servers run as configured.
        info.Environment.Remove(Reads.ClientSockets.InlineCompletionsVariable);
        // Tiering starts counting calls at once instead of after 100 ms without new methods (which a starting server
        // keeps putting off): the warm-up reaches the code a server runs for days sooner. The code itself is the same.
        info.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        foreach (var (variable, value) in environment) info.Environment[variable] = value;
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new Answers();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var match = startupLine.Match(e.Data);
            if (match.Success) ready.TrySetResult((int.Parse(match.Groups[1].Value), match.Groups[2].Success ? int.Parse(match.Groups[2].Value) : 0));
            if (answers.Allocated is { } allocated && e.Data.StartsWith("allocated ", StringComparison.Ordinal))
                allocated.TrySetResult(long.Parse(e.Data.AsSpan(10)));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{name} did not start.");
        }
        return (process, answers, await ready.Task);
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

    /// <summary>Bytes the server's process allocated so far (Pix: its <c>/metrics</c>; the ceiling: asked on its
    /// standard input); -1 when it cannot tell.</summary>
    public async Task<long> AllocatedBytesAsync()
    {
        if (_metrics is not null) return await _metrics.AllocatedBytesAsync();
        var allocated = _answers.Allocated = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _process.StandardInput.WriteLineAsync("allocated");
        await _process.StandardInput.FlushAsync();
        return await Task.WhenAny(allocated.Task, Task.Delay(5000)) == allocated.Task ? await allocated.Task : -1;
    }

    /// <summary>The embedded store's disk counters now; null for other stores and the ceiling.</summary>
    public async Task<Reads.DiskWindow.Reading?> DiskAsync() =>
        _metrics is null ? null : Reads.DiskWindow.Reading.Parse(await _metrics.TextAsync(), Stopwatch.GetTimestamp());

    public void Dispose()
    {
        _metrics?.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        if (_data is not null) try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"Pix listening on https?://127\.0\.0\.1:(\d+) \(ICOM\) and http://127\.0\.0\.1:(\d+) \(operator\)")]
    private static partial Regex PixStartupLine();

    [GeneratedRegex(@"ceiling listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex CeilingStartupLine();
}
