using System.Runtime.CompilerServices;

namespace Pix.Bench.Commands;

/// <summary>
/// Holds the finalizer thread while a window of operations is measured, as BenchmarkDotNet's MemoryDiagnoser does when
/// <see cref="GateCommand"/> turns its finalizer blocker on. A forced full collection queues the runtime's gen2
/// callbacks (ArrayPool trimming, the thread pool's memory check), which allocate about 1 KB on the finalizer
/// thread (dotnet/runtime#101536): a counter over every thread would charge it to the operations of the window.
/// </summary>
internal readonly struct FinalizerBlock : IDisposable
{
    private readonly object? _hold;

    private FinalizerBlock(object hold) => _hold = hold;

    /// <summary>Collects until the finalizer thread is parked in a finalizer of ours, and keeps it there.</summary>
    public static FinalizerBlock Start()
    {
        var (hold, entered) = Blocker.Create();
        do
        {
            GC.Collect();
        }
        while (!entered.IsSet);
        return new FinalizerBlock(hold);
    }

    public void Dispose()
    {
        if (_hold is null) return;
        lock (_hold) Monitor.Pulse(_hold);
    }

    private sealed class Blocker
    {
        private readonly object _hold = new();
        private readonly ManualResetEventSlim _entered = new(false);

        ~Blocker()
        {
            lock (_hold)
            {
                _entered.Set();
                Monitor.Wait(_hold);
            }
        }

        // Not inlined: the blocker must be unreachable when Start collects.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static (object Hold, ManualResetEventSlim Entered) Create()
        {
            var blocker = new Blocker();
            return (blocker._hold, blocker._entered);
        }
    }
}
