using System.Text;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>The Date header's once-a-second refresh: the right value, and no allocation (it ran on a timer thread
/// and allocated a string and an array each second, which the allocation gate charged to the embedded ingest row).</summary>
[Collection(Pix.Tests.Allocation.AllocationCollection.Name)]
public sealed class DateHeaderTests
{
    [Fact]
    public void EachTickWritesTheNewDateWithoutAllocating()
    {
        var clock = new TickingClock(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
        using var header = new DateHeader(clock);
        Span<byte> value = stackalloc byte[DateHeader.Length];
        header.CopyTo(value);
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", Encoding.ASCII.GetString(value));

        for (var i = 0; i < 100; i++) clock.Tick(); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) clock.Tick();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        header.CopyTo(value);
        Assert.Equal("Sun, 06 Nov 1994 08:52:57 GMT", Encoding.ASCII.GetString(value));
#if !DEBUG
        Assert.True(bytes == 0, $"Allocated {bytes} B over 100 refreshes.");
#else
        _ = bytes;
#endif
    }

    /// <summary>A clock whose one timer fires when the test says, a second later each time.</summary>
    private sealed class TickingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        private TimerCallback? _callback;
        private object? _state;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Tick()
        {
            _now = _now.AddSeconds(1);
            _callback!(_state);
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _callback = callback;
            _state = state;
            return new Idle();
        }

        private sealed class Idle : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
