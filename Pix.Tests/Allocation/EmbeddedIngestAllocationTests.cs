using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pix.Tests.Allocation;

/// <summary>
/// The gate's <c>EmbeddedStoreBenchmarks.EmbeddedIngest1</c> row, checked in <c>dotnet test</c>: a POST stored durably
/// by the embedded store. The request suspends for the group commit's fsync and resumes on a pool thread, and the
/// group is encoded on the store's writer thread, so a per-thread counter would miss most of it: <c>pix-bench
/// alloc-trace</c> counts every thread of the process (<see cref="GC.GetTotalAllocatedBytes"/>, as the gate's
/// MemoryDiagnoser does). It runs in a child process, as the gate does: inside the test host the same requests
/// allocate about 200 B more on the sending thread, from the host itself.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed partial class EmbeddedIngestAllocationTests
{
    // Not 0: this phase counts without a forced collection or a held finalizer thread, so a pool thread started or
    // retired by the runtime meanwhile lands in it (the Date header no longer allocates: DateHeaderTests). The
    // per-append allocations this guards against were 160 B (a closure and a boxed enumerator on the writer thread).
    private const double ToleranceBytesPerAppend = 16;

    [Fact]
    public async Task AnEmbeddedIngestAllocatesNothingOnAnyThread()
    {
        var bench = Path.Combine(AppContext.BaseDirectory, "Pix.Bench.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { bench, "alloc-trace", "--ops", "1000", "--idle-seconds", "1", "--no-types" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var text = await output;
        Assert.True(process.ExitCode == 0, $"alloc-trace exited {process.ExitCode}: {text}{await errors}");
        var all = AllThreads().Match(text);
        Assert.True(all.Success, $"No 'all threads' line in: {text}");
        var perAppend = double.Parse(all.Groups[1].Value, CultureInfo.InvariantCulture);
#if !DEBUG
        Assert.True(perAppend <= ToleranceBytesPerAppend, $"Allocated {perAppend:F1} B per embedded ingest (all threads):\n{text}");
#else
        _ = perAppend;
#endif
    }

    [GeneratedRegex(@"all threads\s+\d+ B\s+([0-9.]+) B/op")]
    private static partial Regex AllThreads();
}
