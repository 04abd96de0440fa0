using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>One real server for a test class: short long-poll and idle timeouts so the tests run quickly.
/// Each test uses its own receiver ISPBs, so tests of a class do not see each other's messages.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private PixServerProcess? _server;
    private static int _ispbCounter;

    internal PixServerProcess Server => _server!;

    public int Port => Server.Port;

    /// <summary>A fresh receiver ISPB, unique within the run.</summary>
    public static string NewIspb() => "9" + Interlocked.Increment(ref _ispbCounter).ToString("D7");

    public async Task InitializeAsync() => _server = await PixServerProcess.StartAsync("memory", null,
        ("Pix:Streams:LongPollSeconds", "1"),
        ("Pix:Streams:IdleTimeoutSeconds", "2"),
        ("Pix:Limits:MaxBodyBytes", "200000"),
        ("Pix:RateLimit:Capacity", "100000"),
        ("Pix:RateLimit:RefillPerSecond", "100000"));

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
