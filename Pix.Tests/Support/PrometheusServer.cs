using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pix.Tests.Support;

/// <summary>
/// A real Prometheus (Debian's package) started by the test on a free loopback port with its own data directory,
/// scraping one Pix node's operator listener every second and evaluating the given rule file every second. Never
/// the packaged service: this process is ours and is killed on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/prometheus";
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output;

    public Uri Address { get; }
    public HttpClient Http { get; }

    private PrometheusServer(Process process, TempDirectory directory, StringBuilder output, int port)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Address = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static async Task<PrometheusServer> StartAsync(int pixAdminPort, string rules)
    {
        Assert.True(File.Exists(Binary), "prometheus is missing: apt-get install prometheus (.ci/run does)");
        var directory = new TempDirectory("pix-prometheus");
        File.WriteAllText(Path.Combine(directory.Path, "alerts.yml"), rules);
        File.WriteAllText(Path.Combine(directory.Path, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - alerts.yml
            scrape_configs:
              - job_name: pix
                static_configs:
                  - targets: ["127.0.0.1:{pixAdminPort}"]
            """);
        var port = FreePort();
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.Path,
        };
        foreach (var arg in new[] { "--config.file=" + Path.Combine(directory.Path, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(directory.Path, "data"),
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
            info.ArgumentList.Add(arg);
        var output = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, output, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await server.Http.GetAsync("/-/ready")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException("Prometheus did not start:\n" + server.Output);
            }
            await Task.Delay(100);
        }
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>GET an API path; the parsed body, whose <c>status</c> is <c>success</c> or <c>error</c>.</summary>
    public async Task<JsonDocument> ApiAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(pathAndQuery);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public Task<JsonDocument> QueryAsync(string expr) => ApiAsync("/api/v1/query?query=" + Uri.EscapeDataString(expr));

    /// <summary>Names of the alerts active now, by state (pending or firing).</summary>
    public async Task<List<(string Name, string State)>> AlertsAsync()
    {
        using var alerts = await ApiAsync("/api/v1/alerts");
        return alerts.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => (a.GetProperty("labels").GetProperty("alertname").GetString()!, a.GetProperty("state").GetString()!)).ToList();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _directory.Dispose();
    }
}
