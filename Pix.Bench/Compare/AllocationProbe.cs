using System.Globalization;
using System.Text.RegularExpressions;

namespace Pix.Bench.Compare;

/// <summary>Reads the server's total allocated bytes (and CPU time) from its Prometheus <c>/metrics</c> (the runtime's own meter).</summary>
internal sealed partial class AllocationProbe(int adminPort) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

    public async Task<long> AllocatedBytesAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        var match = Counter().Match(text);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>The whole exposition, for readers of other series (<see cref="Reads.DiskWindow"/>).</summary>
    public Task<string> TextAsync() => _http.GetStringAsync("/metrics");

    /// <summary>The server process's CPU time so far (user + system), in seconds; -1 when the meter is missing.</summary>
    public async Task<double> CpuSecondsAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        var matches = Cpu().Matches(text);
        return matches.Count == 0 ? -1 : matches.Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"^dotnet_gc_heap_total_allocated_bytes_total(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex Counter();

    [GeneratedRegex(@"^dotnet_process_cpu_time_seconds_total(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex Cpu();
}
