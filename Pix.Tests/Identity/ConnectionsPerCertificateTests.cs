using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>A server in mtls mode allowing two connections per client: the edge's per-client limit counts by client
/// certificate (the identity layer's key), so one participant's third connection is closed, another's are not.</summary>
public sealed class TwoConnectionsPerClientFixture : MutualTlsFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Pix:Limits:MaxConnectionsPerClient", "2")];
}

public sealed class ConnectionsPerCertificateTests(TwoConnectionsPerClientFixture fixture) : IClassFixture<TwoConnectionsPerClientFixture>
{
    [Fact]
    public async Task ConnectionsAreCountedPerClientCertificateNotPerAddress()
    {
        using var first = await fixture.ConnectAsync(Psp1);
        using var second = await fixture.ConnectAsync(Psp1);
        Assert.Equal(204, (await first.StartAsync(Psp1)).Status);
        Assert.Equal(204, (await second.StartAsync(Psp1)).Status);

        // The same address, another certificate: counted apart.
        using var other = await fixture.ConnectAsync(Psp2);
        Assert.Equal(204, (await other.StartAsync(Psp2)).Status);

        // PSP 1's third connection is closed without an answer.
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, fixture.Certificates.Client(Psp1), fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));

        // One closes, and a new one is taken again.
        first.Dispose();
        var admitted = false;
        for (var i = 0; i < 50 && !admitted; i++)
        {
            admitted = await Refusals.ReachesHttpAsync(
                () => RawHttpConnection.ConnectTlsAsync(fixture.Port, fixture.Certificates.Client(Psp1), fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start");
            if (!admitted) await Task.Delay(100);
        }
        Assert.True(admitted);
    }
}
