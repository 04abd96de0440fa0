using System.Diagnostics;
using Xunit.Abstractions;

namespace Pix.Tests.Http;

/// <summary>
/// Runs shared/conformance/http (229 raw requests from llhttp, picohttpparser and PortSwigger's smuggler, each
/// labelled accept/reject/either) against the layer over real sockets. Fails, never skips, when the runner or
/// python3 is missing: the corpus is the layer's main proof of strictness.
/// </summary>
public sealed class ConformanceCorpusTests(ITestOutputHelper output)
{
    /// <summary>With <c>--lenient-ok</c> as the contract asks; without it too, since every case the RFC lets a
    /// server repair is one a strict server refuses.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheWholeCorpusPasses(bool lenientOk)
    {
        var runner = Path.Combine(RepositoryRoot(), "..", "shared", "conformance", "http", "run_cases.py");
        Assert.True(File.Exists(runner), $"The conformance runner is missing: {runner}");

        await using var server = await PixHttpTestServer.StartAsync();
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { runner, "127.0.0.1", server.Port.ToString() }) start.ArgumentList.Add(argument);
        if (lenientOk) start.ArgumentList.Add("--lenient-ok");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail("python3 is required to run the conformance corpus: " + e.Message);
            return;
        }
        using (process)
        {
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            var standardError = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            var text = await standardOutput + await standardError;
            output.WriteLine(text);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length > 0, "The runner printed nothing.");
            var summary = lines[^1];
            Assert.True(summary.EndsWith(" 0 failed", StringComparison.Ordinal), "Conformance mismatches:\n" + text);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pix.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("Pix.sln not found above " + AppContext.BaseDirectory);
    }
}
