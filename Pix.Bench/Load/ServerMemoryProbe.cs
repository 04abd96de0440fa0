using System.Globalization;

namespace Pix.Bench.Load;

/// <summary>
/// Samples the server's memory once a second from its operator listener's <c>/metrics</c> (the runtime's own
/// gauges): RSS (<c>dotnet_process_memory_working_set_bytes</c>) and the managed heap after the last collection
/// (<c>dotnet_gc_last_collection_heap_size_bytes</c>, summed over generations), for the plots over time. A soak
/// shows whether memory follows live data or grows with history.
/// </summary>
internal sealed class ServerMemoryProbe(Uri admin, LoadMetrics metrics) : IDisposable
{
    private const string Rss = "dotnet_process_memory_working_set_bytes";
    private const string Heap = "dotnet_gc_last_collection_heap_size_bytes";
    private readonly HttpClient _http = new() { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(5) };

    public async Task RunAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                try
                {
                    var text = await _http.GetStringAsync("/metrics", cancel);
                    if (TryParse(text, out var rss, out var heap)) metrics.ServerMemory(rss, heap);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
                {
                    // A missed second is a gap in the plot, not a failed run.
                }
            }
            while (await timer.WaitForNextTickAsync(cancel));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads RSS and the managed heap (bytes) out of a Prometheus text exposition.</summary>
    public static bool TryParse(string text, out long rss, out long heap)
    {
        rss = 0;
        heap = 0;
        var sawRss = false;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty || line[0] == '#') continue;
            var isRss = line.StartsWith(Rss) && (line.Length == Rss.Length || line[Rss.Length] is '{' or ' ');
            var isHeap = line.StartsWith(Heap) && (line.Length == Heap.Length || line[Heap.Length] is '{' or ' ');
            if (!isRss && !isHeap) continue;
            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            if (isRss)
            {
                rss = (long)value;
                sawRss = true;
            }
            else
            {
                heap += (long)value;
            }
        }
        return sawRss;
    }

    public void Dispose() => _http.Dispose();
}
