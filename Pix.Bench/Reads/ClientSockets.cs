using System.Diagnostics;

namespace Pix.Bench.Reads;

/// <summary>
/// The throughput clients (<c>reads</c>, <c>ingest</c>) run their socket completions inline on .NET's epoll thread,
/// as wrk runs everything on its event loop: without it every response is handed from the epoll thread to a thread-pool
/// thread, a hop that costs the client core more than parsing the response does. The runtime reads the setting only
/// from the environment at startup, so the command starts itself again with it set (once; the servers it starts do not
/// inherit it).
/// </summary>
internal static class ClientSockets
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The exit code of this command run again with inline completions, or null when they are already on
    /// (or turned off with <c>PIX_BENCH_INLINE_COMPLETIONS=0</c>, to measure the difference).</summary>
    public static async Task<int?> RelaunchInlineAsync(string[] args)
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is not null) return null;
        if (Environment.GetEnvironmentVariable("PIX_BENCH_INLINE_COMPLETIONS") == "0") return null;
        var info = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("Pix.Bench", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pix.Bench.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment[InlineCompletionsVariable] = "1";
        using var child = Process.Start(info)!;
        await child.WaitForExitAsync();
        return child.ExitCode;
    }
}
