using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pix.Tests.Support;

/// <summary>
/// The real server as a child process (<c>dotnet Pix.Server.dll</c>) on free loopback ports, so end-to-end tests talk
/// to exactly what a PSP would. Reads the ports from the startup line; <see cref="Kill"/> is a kill -9.
/// </summary>
internal sealed partial class PixServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TempDirectory? _ownedData;

    public int Port { get; }
    public int AdminPort { get; }
    public string DataDir { get; }

    private PixServerProcess(Process process, int port, int adminPort, string dataDir, TempDirectory? ownedData, StringBuilder output)
    {
        _process = process;
        Port = port;
        AdminPort = adminPort;
        DataDir = dataDir;
        _ownedData = ownedData;
        _output = output;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Sends a signal (<c>TERM</c>, <c>INT</c>) as an orchestrator would.</summary>
    public void Signal(string name)
    {
        var (code, output) = Shell.Run("kill", $"-s {name} {_process.Id}");
        Assert.True(code == 0, $"kill -s {name} failed: {output}");
    }

    /// <summary>True when the process exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Starts the server; <paramref name="settings"/> are extra <c>--Pix:Key value</c> pairs (the last value of a
    /// key wins, so a test of identity passes <c>("Pix:Tls:Mode", "mtls")</c> over the harness's <c>off</c>).</summary>
    public static async Task<PixServerProcess> StartAsync(string storage = "memory", string? dataDir = null, params (string Key, string Value)[] settings)
    {
        var owned = dataDir is null ? new TempDirectory("pix-server") : null;
        var data = dataDir ?? owned!.Path;
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Pix.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // TLS off where identity is not the subject: these tests speak plain HTTP and name the participant in the path.
        foreach (var arg in new[] { serverDll, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data", data, "--storage", storage,
                     "--Pix:Tls:Mode", "off", "--Pix:Xml:RequireSignature", "false", "--Logging:LogLevel:Default", "Warning" })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value);
        }
        var output = new StringBuilder();
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            var match = StartupLine().Match(e.Data);
            if (match.Success) ready.TrySetResult((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        // A minute: a cold start on a loaded 2-core machine (the full suite beside other processes) has taken over 30 s.
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != ready.Task)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            string text;
            lock (output) text = output.ToString();
            var why = first == exited ? $"exited with code {process.ExitCode}" : "did not print its startup line within 60 s";
            throw new InvalidOperationException($"The server {why}:\n" + text);
        }
        var (port, admin) = await ready.Task;
        return new PixServerProcess(process, port, admin, data, owned, output);
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        await Task.Yield();
        _process.Dispose();
        _ownedData?.Dispose();
    }

    [GeneratedRegex(@"Pix listening on https?://127\.0\.0\.1:(\d+) \(ICOM\) and http://127\.0\.0\.1:(\d+) \(operator\)")]
    private static partial Regex StartupLine();
}
