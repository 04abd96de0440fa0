using System.Diagnostics;
using System.Net;
using System.Text;
using Pix.Bench.Load;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>handshakes --certs DIR</c>: new mutual-TLS connections per second against a running Pix in mtls mode. Each
/// connection handshakes, sends one request (so the server has finished checking the client certificate, which TLS
/// 1.3 does after the client's side completed) and closes. Full handshakes by default; <c>--resume</c> lets the
/// client resume its sessions, to compare.
/// </summary>
internal static class HandshakeBenchCommand
{
    public const string Usage = "handshakes --certs DIR [--target https://127.0.0.1:8080] [--admin-port 9090] [--connections 8] [--duration 10] [--resume]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        var target = new Uri(options.Text("target") ?? "https://127.0.0.1:8080");
        if (!IPAddress.IsLoopback(IPAddress.Parse(target.Host))) { Console.Error.WriteLine("handshakes targets 127.0.0.1 only."); return 2; }
        var certs = options.Text("certs");
        if (certs is null) { Console.Error.WriteLine($"pix-bench {Usage}"); return 2; }
        var resume = options.Has("resume");
        using var tls = new ClientTls(certs, resume);
        var endpoint = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        var parallel = (int)Math.Clamp(options.Number("connections", 8), 1, 256);
        var duration = TimeSpan.FromSeconds(Math.Clamp(options.Number("duration", 10), 1, 600));
        // A path no route matches: the server answers 404 from the head, so the figure is the handshake and little else.
        var request = Encoding.ASCII.GetBytes("GET /handshake HTTP/1.1\r\nHost: pix\r\n\r\n");
        using var server = options.Text("admin-port") is { } adminPort ? new Compare.AllocationProbe(int.Parse(adminPort, System.Globalization.CultureInfo.InvariantCulture)) : null;
        var cpuBefore = server is null ? 0 : await server.CpuSecondsAsync();
        long completed = 0, failed = 0;
        var latency = new LatencyHistogram();
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var connection = new IcomConnection(endpoint, tls, MessageFactory.Spi);
                    var response = await connection.SendAsync(request, CancellationToken.None);
                    if (response.Status != 404) throw new IOException($"unexpected {response.Status}");
                    latency.RecordTicks(Stopwatch.GetTimestamp() - started);
                    Interlocked.Increment(ref completed);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        long last = 0;
        while (!Task.WhenAll(workers).IsCompleted)
        {
            await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000));
            var now = Interlocked.Read(ref completed);
            Console.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  {now - last,8:N0} connections/s");
            last = now;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        // The server's CPU per connection is what a handshake costs it, whatever else shares the machine.
        if (server is not null)
            Console.WriteLine($"server: {(await server.CpuSecondsAsync() - cpuBefore) * 1e3 / Math.Max(1, completed):F2} ms CPU per connection");
        Console.WriteLine($"{(resume ? "resumed" : "full")} mTLS handshakes: {completed:N0} in {seconds:F1} s = {completed / seconds:N0}/s with {parallel} at a time "
            + $"(connect + handshake + one request: p50 {latency.Millis(50):F2} ms, p99 {latency.Millis(99):F2} ms); {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
