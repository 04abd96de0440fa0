using System.Diagnostics.Tracing;

namespace Pix.Bench.Commands;

/// <summary>
/// Marks the start and end of each measured window of <c>alloc-trace --windows</c>, so that a trace taken around the
/// run (<c>dotnet-trace collect --providers Microsoft-Windows-DotNETRuntime:0x280019:5,Pix-AllocWindows</c>, which adds
/// a stack to every sampled allocation) can be cut to the windows that allocated.
/// </summary>
[EventSource(Name = "Pix-AllocWindows")]
internal sealed class AllocWindowEvents : EventSource
{
    public static readonly AllocWindowEvents Log = new();

    [Event(1)]
    public void WindowStart(int window) => WriteEvent(1, window);

    [Event(2)]
    public void WindowEnd(int window, long bytes) => WriteEvent(2, window, bytes);
}
