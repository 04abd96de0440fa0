using System.Diagnostics;
using StackExchange.Redis;

namespace Pix.Tests.Support.Redis;

/// <summary>
/// One real <c>redis-server</c> (Debian's package) on a free loopback port with its own directory, AOF on and
/// fsync'd at every write, as the tests' clusters run. Missing redis-server is a failure, not a skip: CI installs it.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private Process? _process;

    private RedisProcess(int port, TempDirectory directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }
    public string EndPoint => $"127.0.0.1:{Port}";
    public bool Running => _process is { HasExited: false };
    public int? Pid => _process?.Id;

    public static async Task<RedisProcess> StartAsync(bool cluster = false, int? port = null, int clusterNodeTimeoutMs = 3000)
    {
        var node = new RedisProcess(port ?? FreePorts.Take(1, withBus: cluster)[0], new TempDirectory("pix-redis"));
        await node.StartProcessAsync(cluster, clusterNodeTimeoutMs);
        return node;
    }

    /// <summary>Starts the server again on the same port and directory (after a kill), as an operator would.</summary>
    public Task RestartAsync(bool cluster, int clusterNodeTimeoutMs = 3000) => StartProcessAsync(cluster, clusterNodeTimeoutMs);

    private async Task StartProcessAsync(bool cluster, int clusterNodeTimeoutMs)
    {
        var executable = Find("redis-server");
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in Arguments(cluster, clusterNodeTimeoutMs)) start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"{EndPoint},connectTimeout=500,abortConnect=true");
                await connection.GetServer(EndPoint).PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("LOADING", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !_process.HasExited)
            {
                // A restart replays its AOF before it answers anything else.
                await Task.Delay(50);
            }
            catch (RedisConnectionException) when (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited at start (code {_process.ExitCode})");
            }
        }
    }

    private IEnumerable<string> Arguments(bool cluster, int clusterNodeTimeoutMs)
    {
        string[] common =
        [
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory.Path, "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no", "--loglevel", "warning",
            "--logfile", Path.Combine(_directory.Path, "redis.log"),
        ];
        if (!cluster) return common;
        return
        [
            .. common, "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_directory.Path, "nodes.conf"),
            "--cluster-node-timeout", clusterNodeTimeoutMs.ToString(),
            // A replica promoted after its primary's death must not refuse to serve for stale data reasons.
            "--cluster-replica-validity-factor", "0",
        ];
    }

    /// <summary>kill -9: the process dies with whatever it had not written.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false }) _process.Kill();
        _process?.WaitForExit();
    }

    /// <summary>SIGSTOP / SIGCONT: a frozen process, as a partition or a stalled host looks from outside.</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    private void Signal(string name)
    {
        var (code, output) = Shell.Run("kill", $"-{name} {_process!.Id}");
        Assert.True(code == 0, $"kill -{name} failed: {output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Thaw();
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _directory.Dispose();
    }

    internal static string Find(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{program} is not installed: these tests start the real thing (apt-get install -y {(program.StartsWith("redis", StringComparison.Ordinal) ? "redis-server" : program)}; .ci/run does it).");
    }
}
