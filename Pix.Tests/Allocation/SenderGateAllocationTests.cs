using Pix.Protocol.Ids;
using Pix.Storage.Senders;

namespace Pix.Tests.Allocation;

/// <summary>
/// The in-process sender gate runs on every ingest request, on the request's thread, and every 4,096th request also
/// sweeps out quiet senders. The sweep enumerated a ConcurrentDictionary, whose enumerator is a class: 64 B on one
/// request in 4,096 (pix-bench alloc-trace found it on the embedded ingest benchmark's thread).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class SenderGateAllocationTests
{
    [Fact]
    public void AdmittingAllocatesNothingAcrossSweeps()
    {
        var gate = new InProcessSenderGate(new SenderGateSettings(1e12, 1e12, 0.5, 10, 60), TimeProvider.System);
        // A few senders, as PSPs post: each one's state is made on its first request (the warm-up).
        var senders = new[] { new Ispb(11_111_111), new Ispb(22_222_222), new Ispb(33_333_333) };
        for (var i = 0; i < 3 * 4096; i++) Admit(gate, senders[i % senders.Length]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        // Three sweeps' worth of requests.
        for (var i = 0; i < 3 * 4096; i++) Admit(gate, senders[i % senders.Length]);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
#if DEBUG
        _ = bytes;
#else
        Assert.True(bytes == 0, $"Allocated {bytes} B over {3 * 4096} admissions (three sweeps).");
#endif
        Assert.True(gate.SenderCount <= senders.Length);
    }

    private static void Admit(InProcessSenderGate gate, Ispb sender)
    {
        var decision = gate.AdmitAsync(sender, 1, 1, 0);
        if (!decision.IsCompletedSuccessfully || !decision.Result.Admitted) throw new InvalidOperationException("Not admitted at once.");
    }
}
