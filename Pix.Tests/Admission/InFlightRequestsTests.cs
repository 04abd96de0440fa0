using Pix.Server.Http;

namespace Pix.Tests.Admission;

/// <summary>The counting rules of admission control, without a server.</summary>
public sealed class InFlightRequestsTests
{
    [Fact]
    public void RequestsPastTheLimitAreRefusedAndAnExitMakesRoom()
    {
        var inFlight = new InFlightRequests(2);
        Assert.True(inFlight.TryEnter());
        Assert.True(inFlight.TryEnter());
        Assert.False(inFlight.TryEnter());
        Assert.Equal(2, inFlight.Current);
        inFlight.Exit();
        Assert.True(inFlight.TryEnter());
    }

    [Fact]
    public void AParkedRequestFreesItsPlaceAndTakesItBackWhenItResumesEvenPastTheLimit()
    {
        var inFlight = new InFlightRequests(1);
        Assert.True(inFlight.TryEnter());
        inFlight.Parked();
        Assert.Equal((0, 1), (inFlight.Current, inFlight.ParkedCount));
        Assert.True(inFlight.TryEnter());
        // The parked one was admitted before: it finishes, over the limit for a moment.
        inFlight.Resumed();
        Assert.Equal((2, 0), (inFlight.Current, inFlight.ParkedCount));
        Assert.False(inFlight.TryEnter());
        inFlight.Exit();
        inFlight.Exit();
        Assert.True(inFlight.TryEnter());
    }

    [Fact]
    public void ZeroMeansNoLimitButStillCounts()
    {
        var inFlight = new InFlightRequests(0);
        for (var i = 0; i < 10_000; i++) Assert.True(inFlight.TryEnter());
        Assert.Equal(10_000, inFlight.Current);
    }
}
