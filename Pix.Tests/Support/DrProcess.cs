using System.Diagnostics;
using System.Text;

namespace Pix.Tests.Support;

/// <summary>The disaster-recovery controller as an operator runs it: <c>dotnet Pix.Server.dll dr ...</c>, a real
/// child process. <see cref="RunAsync"/> waits for a one-shot command; <see cref="Start"/> keeps <c>watch</c> running
/// until disposed (SIGTERM, then kill).</summary>
internal sealed class DrProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DrProcess(Process process) => _process = process;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<(int Code, string Output)> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        await using var dr = Start(args);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await dr._process.WaitForExitAsync(cts.Token);
        // The output events may trail the exit.
        dr._process.WaitForExit();
        return (dr._process.ExitCode, dr.Output);
    }

    public static DrProcess Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pix.Server.dll"));
        info.ArgumentList.Add("dr");
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var dr = new DrProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (dr._output) dr._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (dr._output) dr._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return dr;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Shell.Run("kill", $"-s TERM {_process.Id}");
            if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
        }
        await Task.Yield();
        _process.Dispose();
    }
}
