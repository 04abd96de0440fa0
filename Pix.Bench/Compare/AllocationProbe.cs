using System.Globalization;
using System.Text.RegularExpressions;

namespace Pix.Bench.Compare;

/// <summary>Reads the server's total allocated bytes from its Prometheus <c>/metrics</c> (the runtime's own meter).</summary>
internal sealed partial class AllocationProbe(int adminPort) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

    public async Task<long> AllocatedBytesAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        var match = Counter().Match(text);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"^dotnet_gc_heap_total_allocated_bytes_total(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex Counter();
}
