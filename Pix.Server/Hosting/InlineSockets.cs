using Microsoft.AspNetCore.Hosting;

namespace Pix.Server.Hosting;

/// <summary>
/// Socket continuations run on the epoll thread that saw the event, the request with them: no hand-off to a pool
/// thread per receive, per send, per completion (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> for the runtime's
/// sockets, Kestrel's <c>UnsafePreferInlineScheduling</c> for its transport). On this VM context switches and their
/// wake-ups were about a third of the server's CPU on the peer's workload; inline cost less CPU in 8 of 8 alternating
/// pairs, e.g. 76.5/87.2 and 84.0/113.3 µs per delivered message (docs/benchmarks.md, "Inline socket continuations").
/// Safe only while nothing waits synchronously on another socket from such a thread: with the Redis store a gauge that
/// waited for Redis would wait for the epoll thread it blocks, so that store keeps the pool.
/// </summary>
internal static class InlineSockets
{
    private const string RuntimeSwitch = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on when the settings allow it; must run before the process opens a socket
    /// (the runtime reads the variable once).</summary>
    public static void Apply(PixOptions options, IWebHostBuilder host)
    {
        if (options.InlineSockets && !Pix.Storage.StoreFactory.UsesSockets(options.Storage)) Enable(host);
    }

    /// <summary>Turns them on unconditionally: also the benchmark's ceiling, so that a ratio to it compares a bare
    /// Kestrel and Pix on the same socket settings.</summary>
    public static void Enable(IWebHostBuilder host)
    {
        Environment.SetEnvironmentVariable(RuntimeSwitch, "1");
        host.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
    }
}
