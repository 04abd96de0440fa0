using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Pix.Tests.Support.Redis;

namespace Pix.Tests.Support;

/// <summary>
/// Debian's HAProxy in front of Pix nodes, as production runs it: TCP mode (TLS would pass through), round-robin over
/// connections, a health check that takes a dead node out, and a redispatch so a connection refused by a dead node
/// is retried on a live one. Its own config file and pid file in a temp directory, on a free loopback port.
/// Missing haproxy is a failure, not a skip: CI installs it.
/// </summary>
internal sealed class HaProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output;

    private HaProxyProcess(Process process, TempDirectory directory, int port, StringBuilder output)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _output = output;
    }

    public int Port { get; }

    public static async Task<HaProxyProcess> StartAsync(IEnumerable<int> backendPorts)
    {
        var executable = RedisProcess.Find("haproxy");
        var directory = new TempDirectory("pix-haproxy");
        var port = FreePorts.One();
        var config = Path.Combine(directory.Path, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Config(port, backendPorts, Path.Combine(directory.Path, "haproxy.pid")));
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // -db: stay in the foreground, so the test owns the process and kill ends it.
        foreach (var arg in new[] { "-db", "-f", config }) start.ArgumentList.Add(arg);
        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new HaProxyProcess(process, directory, port, output);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!proxy.Accepts())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await proxy.DisposeAsync();
                throw new InvalidOperationException($"haproxy did not start listening on {port}:\n{proxy.Output}");
            }
            await Task.Delay(50);
        }
        return proxy;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private static string Config(int port, IEnumerable<int> backendPorts, string pidFile)
    {
        var text = new StringBuilder($"""
            global
              pidfile {pidFile}
              nbthread 1
              maxconn 4096

            defaults
              mode tcp
              timeout connect 1s
              # Longer than any long poll: a parked read is a quiet connection, not a dead one.
              timeout client 120s
              timeout server 120s
              # A connection refused by a dead node is retried on another one.
              retries 2
              option redispatch

            frontend icom
              bind 127.0.0.1:{port}
              default_backend pix

            backend pix
              balance roundrobin

            """);
        var i = 0;
        foreach (var backend in backendPorts) text.AppendLine($"  server pix{i++} 127.0.0.1:{backend} check inter 250ms fall 2 rise 2");
        return text.ToString();
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _directory.Dispose();
    }
}
