using System.Globalization;
using System.Text.Json;

namespace Pix.Bench.Load;

/// <summary>
/// Reads Pix's alerts from a Prometheus that scrapes the node under load and evaluates <c>ops/alerts.yml</c>: whether
/// one fires now, and the timeline of every <c>Pix*</c> alert over the run (<c>ALERTS</c> through
/// <c>/api/v1/query_range</c>, one-second steps), so the report shows when each alert would have paged.
/// </summary>
internal sealed class PrometheusAlerts(Uri prometheus) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = prometheus, Timeout = TimeSpan.FromSeconds(10) };

    public async Task<bool> IsFiringAsync(string alert, CancellationToken cancel)
    {
        using var result = await GetAsync($"/api/v1/query?query={Uri.EscapeDataString($"ALERTS{{alertname=\"{alert}\",alertstate=\"firing\"}}")}", cancel);
        return result.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0;
    }

    public async Task<AlertSpan[]> TimelineAsync(DateTime startedUtc, DateTime endUtc, CancellationToken cancel)
    {
        // What fires now has not resolved, whatever its last step looks like; everything else resolved after its last firing step.
        var firingNow = new HashSet<string>();
        const string firing = "ALERTS{alertname=~\"Pix.*\",alertstate=\"firing\"}";
        using (var now = await GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(firing), cancel))
        {
            foreach (var series in now.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
                firingNow.Add(series.GetProperty("metric").GetProperty("alertname").GetString()!);
        }
        var query = Uri.EscapeDataString("ALERTS{alertname=~\"Pix.*\"}");
        var start = Unix(startedUtc);
        var end = Unix(endUtc);
        using var result = await GetAsync($"/api/v1/query_range?query={query}&start={start.ToString(CultureInfo.InvariantCulture)}&end={end.ToString(CultureInfo.InvariantCulture)}&step=1", cancel);
        var spans = new Dictionary<string, (double? Pending, double? Firing, double LastFiring, HashSet<string> Series)>();
        foreach (var series in result.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var metric = series.GetProperty("metric");
            var name = metric.GetProperty("alertname").GetString()!;
            var state = metric.GetProperty("alertstate").GetString();
            var entry = spans.TryGetValue(name, out var found) ? found : (null, null, double.MinValue, new HashSet<string>());
            entry.Series.Add(string.Join(",", metric.EnumerateObject().Where(p => p.Name != "alertstate").Select(p => p.Name + "=" + p.Value.GetString())));
            foreach (var point in series.GetProperty("values").EnumerateArray())
            {
                var at = point[0].GetDouble() - start;
                if (state == "pending") entry.Pending = Math.Min(entry.Pending ?? at, at);
                else
                {
                    entry.Firing = Math.Min(entry.Firing ?? at, at);
                    entry.LastFiring = Math.Max(entry.LastFiring, at);
                }
            }
            spans[name] = entry;
        }
        return spans.OrderBy(s => s.Value.Firing ?? s.Value.Pending).Select(s => new AlertSpan(s.Key, s.Value.Pending, s.Value.Firing,
            s.Value.Firing is null || firingNow.Contains(s.Key) ? null : s.Value.LastFiring + 1, s.Value.Series.Count)).ToArray();
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancel)
    {
        using var response = await _http.GetAsync(path, cancel);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
    }

    private static double Unix(DateTime utc) => Math.Round((utc - DateTime.UnixEpoch).TotalSeconds, 3);

    public void Dispose() => _http.Dispose();
}
