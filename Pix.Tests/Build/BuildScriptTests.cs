using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Pix.Tests.Support;

namespace Pix.Tests.Build;

/// <summary>
/// build.ps1 (for Windows users) and build.sh run the same dotnet command for every task. PowerShell cannot be
/// installed here, so build.ps1 runs in a runspace hosted by System.Management.Automation, in dry-run mode.
/// </summary>
public sealed class BuildScriptTests
{
    public static TheoryData<string> Tasks => new() { "build", "test", "test-long", "bench", "gate", "run", "simulate" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void BuildPs1AndBuildShRunTheSameCommand(string task)
    {
        var powershell = RunPowerShell(task, "--extra", "a b");
        var bash = RunBash(task, "--extra", "a b");
        Assert.StartsWith("> dotnet ", powershell);
        Assert.Equal(bash, powershell);
    }

    [Fact]
    public void BuildPs1RejectsAnUnknownTask()
    {
        var error = Assert.ThrowsAny<Exception>(() => RunPowerShell("deploy"));
        Assert.Contains("deploy", error.Message);
    }

    private static string RunPowerShell(string task, params string[] rest)
    {
        var state = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        using var shell = PowerShell.Create(runspace);
        var output = new StringWriter();
        var previous = Console.Out;
        var directory = Environment.CurrentDirectory;
        var environment = EnvironmentNow();
        Console.SetOut(output);
        try
        {
            shell.AddCommand(Path.Combine(RepoPaths.Root, "build.ps1")).AddArgument(task).AddParameter("DryRun");
            foreach (var argument in rest) shell.AddArgument(argument);
            shell.Invoke();
            if (shell.HadErrors) throw new InvalidOperationException(string.Join("\n", shell.Streams.Error.Select(e => e.ToString())));
        }
        finally
        {
            Console.SetOut(previous);
            Environment.CurrentDirectory = directory;
        }
        // The runspace is this process: a dry run that set a variable would hand it to every later test (build.ps1's
        // simulate once set PIX_SIMULATION_SEEDS=50000 here, and the suite's simulation then ran 50,000 seeds).
        Assert.Equal(environment, EnvironmentNow());
        return output.ToString().Trim();
    }

    private static SortedDictionary<string, string?> EnvironmentNow() => new(
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value), StringComparer.Ordinal);

    private static string RunBash(string task, params string[] rest)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "build.sh"));
        info.ArgumentList.Add(task);
        foreach (var argument in rest) info.ArgumentList.Add(argument);
        info.Environment["DRY_RUN"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}
