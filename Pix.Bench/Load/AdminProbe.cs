using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Pix.Bench.Load;

/// <summary>Asks Pix's operator listener how many messages of the run's PSPs are still queued or unacknowledged.</summary>
internal sealed class AdminProbe(Uri admin) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Sum of (queue depth, unacknowledged) over <paramref name="ispbs"/>; null when the admin listener failed.</summary>
    public async Task<(long Depth, long Unacknowledged)?> PendingAsync(IEnumerable<string> ispbs, CancellationToken cancel)
    {
        long depth = 0, unacknowledged = 0;
        try
        {
            foreach (var ispb in ispbs)
            {
                var report = await _http.GetFromJsonAsync<IspbReport>($"/admin/v1/ispb/{ispb}", cancel);
                depth += report?.QueueDepth ?? 0;
                unacknowledged += report?.Unacknowledged ?? 0;
            }
            return (depth, unacknowledged);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed record IspbReport(
        [property: JsonPropertyName("queueDepth")] long QueueDepth,
        [property: JsonPropertyName("unacknowledged")] long Unacknowledged);
}
