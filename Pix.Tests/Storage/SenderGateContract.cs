using Pix.Protocol.Ids;
using Pix.Storage.Senders;

namespace Pix.Tests.Storage;

/// <summary>The sender gate's contract, run against the in-process gate and the Redis one (shared by nodes).</summary>
public abstract class SenderGateContract : IAsyncLifetime
{
    protected static readonly Ispb Psp = Ispb.Parse("11112222");
    // A small bucket refilling slowly, and isolation above 10 % once 20 messages were seen in a 60 s window.
    protected static readonly SenderGateSettings Settings = new(Capacity: 10, RefillPerSecond: 1, IsolateAboveRatio: 0.1, IsolateMinMessages: 20, WindowSeconds: 60);

    /// <summary>Two gates as two nodes would hold them (for the in-process gate, the same one twice).</summary>
    protected abstract Task<(ISenderGate First, ISenderGate Second)> CreateAsync();

    protected ISenderGate First { get; private set; } = null!;
    protected ISenderGate Second { get; private set; } = null!;

    public async Task InitializeAsync() => (First, Second) = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ARequestTakesItsWholeCostOrNothingAndIsToldHowLongToWait()
    {
        Assert.True((await First.AdmitAsync(Psp, 6, 6, 0)).Admitted);
        var refused = await Second.AdmitAsync(Psp, 6, 6, 0);
        Assert.False(refused.Admitted);
        Assert.InRange(refused.RetryAfterSeconds, 1, 3);
        Assert.True((await Second.AdmitAsync(Psp, 4, 4, 0)).Admitted);
        Assert.False((await First.AdmitAsync(Psp, 1, 1, 0)).Admitted);
        Assert.True((await First.AdmitAsync(Ispb.Parse("33334444"), 10, 10, 0)).Admitted);
    }

    [Fact]
    public async Task ASenderFailingTooOftenIsIsolatedOnceUntilReleased()
    {
        var big = Settings with { Capacity = 1000, RefillPerSecond = 1000 };
        var (first, second) = await CreateWithAsync(big);
        for (var i = 0; i < 9; i++) Assert.False((await first.AdmitAsync(Psp, 1, 2, 0)).Isolated);
        // 18 messages, none failed; 2 more with 1 failure: 20 seen, 5 % failed: not yet.
        var decision = await second.AdmitAsync(Psp, 1, 2, 1);
        Assert.False(decision.NewlyIsolated);
        // 23 seen, 4 failed (17 %): isolated by this request, on whichever node it came through.
        decision = await first.AdmitAsync(Psp, 1, 3, 3);
        Assert.True(decision.NewlyIsolated);
        Assert.False(decision.Isolated);
        var next = await second.AdmitAsync(Psp, 1, 1, 0);
        Assert.True(next.Isolated);
        Assert.False(next.NewlyIsolated);
        Assert.Contains(await first.IsolatedAsync(), s => s.Sender == Psp);

        Assert.True(await second.ReleaseAsync(Psp));
        Assert.False(await first.ReleaseAsync(Psp));
        Assert.DoesNotContain(await second.IsolatedAsync(), s => s.Sender == Psp);
        var after = await first.AdmitAsync(Psp, 1, 1, 0);
        Assert.False(after.Isolated);
        Assert.False(after.NewlyIsolated);
    }

    [Fact]
    public async Task TheSpiIsNeverIsolated()
    {
        var big = Settings with { Capacity = 1000, RefillPerSecond = 1000 };
        var (first, _) = await CreateWithAsync(big);
        for (var i = 0; i < 10; i++)
        {
            var decision = await first.AdmitAsync(Ispb.Spi, 1, 5, 5);
            Assert.True(decision.Admitted);
            Assert.False(decision.Isolated || decision.NewlyIsolated);
        }
        Assert.Empty(await first.IsolatedAsync());
    }

    protected abstract Task<(ISenderGate First, ISenderGate Second)> CreateWithAsync(SenderGateSettings settings);
}

public sealed class InProcessSenderGateTests : SenderGateContract
{
    protected override Task<(ISenderGate, ISenderGate)> CreateAsync() => CreateWithAsync(Settings);

    protected override Task<(ISenderGate, ISenderGate)> CreateWithAsync(SenderGateSettings settings)
    {
        var gate = new InProcessSenderGate(settings, TimeProvider.System);
        return Task.FromResult<(ISenderGate, ISenderGate)>((gate, gate));
    }
}
