using Pix.Server.Hosting;

namespace Pix.Tests.Http;

/// <summary>The defaults of <c>Pix:Limits</c> that depend on the deployment.</summary>
public sealed class LimitDefaultsTests
{
    [Fact]
    public void PerClientConnectionsAre64WithCertificatesAndOffWithoutUnlessSet()
    {
        var limits = new PixOptions.LimitOptions();
        Assert.Equal(64, limits.EffectiveMaxConnectionsPerClient(clientsHaveCertificates: true));
        // Without TLS, tests and a load balancer in front share one address: counting by it would cut them off.
        Assert.Equal(0, limits.EffectiveMaxConnectionsPerClient(clientsHaveCertificates: false));
        limits.MaxConnectionsPerClient = 8;
        Assert.Equal(8, limits.EffectiveMaxConnectionsPerClient(clientsHaveCertificates: false));
        limits.MaxConnectionsPerClient = 0;
        Assert.Equal(0, limits.EffectiveMaxConnectionsPerClient(clientsHaveCertificates: true));
    }

    [Fact]
    public void TheServerWideLimitsHaveTheirDocumentedDefaults()
    {
        var limits = new PixOptions.LimitOptions();
        Assert.Equal(4096, limits.MaxInFlight);
        Assert.Equal(20_000, limits.MaxConnections);
        Assert.Equal((30, 30, 130), (limits.WriteTimeoutSeconds, limits.RequestTimeoutSeconds, limits.KeepAliveTimeoutSeconds));
    }
}
