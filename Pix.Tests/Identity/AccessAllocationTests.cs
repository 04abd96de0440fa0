using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Server.Hosting;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Identity;
using Pix.Server.Tls;
using Pix.Tests.Allocation;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>Admitting a request costs nothing once its connection's identity is known: mtls and proxy mode, with a
/// registry and its networks, allocate no byte per request. And the HTTP layer keeps the proxy's headers only in proxy mode.</summary>
[Collection(AllocationCollection.Name)]
public sealed class AccessAllocationTests(AccessAllocationTests.Material material) : IClassFixture<AccessAllocationTests.Material>
{
    /// <summary>Certificates, TLS material and a registry, made once for the class (RSA keys are slow to make).</summary>
    public sealed class Material : IDisposable
    {
        public Material()
        {
            var files = new TlsFiles("", "", "", Certificates.Set.CaCertificate, "");
            Tls = new Reloadable<TlsMaterial>("TLS material", files.All, g => TlsMaterial.Load(files, withServer: false, g), m => m.Summary,
                TimeSpan.Zero, NullLogger.Instance);
            var registry = Certificates.File("participants.json");
            File.WriteAllText(registry, $"{{ \"participants\": [ {{ \"ispb\": \"{Psp1}\", \"networks\": [\"10.0.0.0/8\", \"127.0.0.0/8\"] }} ] }}");
            Registry = new Reloadable<ParticipantRegistry>("registry", [registry], _ => ParticipantRegistry.Load(registry), r => r.Describe(),
                TimeSpan.Zero, NullLogger.Instance);
        }

        internal TestCertificates Certificates { get; } = new(psps: 1);
        internal DateHeader Date { get; } = new();
        internal Reloadable<TlsMaterial> Tls { get; }
        internal Reloadable<ParticipantRegistry> Registry { get; }

        public void Dispose()
        {
            Tls.Dispose();
            Registry.Dispose();
            Date.Dispose();
            Certificates.Dispose();
        }
    }

    private readonly TestCertificates _certificates = material.Certificates;
    private readonly DateHeader _date = material.Date;
    private readonly Reloadable<TlsMaterial> _tls = material.Tls;
    private readonly Reloadable<ParticipantRegistry> _registry = material.Registry;

    private (HttpRequest Request, IcomRoute Route) Request(PeerIdentity peer)
    {
        var request = new HttpRequest();
        request.Reset();
        request.SetTarget(Encoding.ASCII.GetBytes($"/api/v1/out/{Psp1}/stream/start"));
        var features = new FeatureCollection();
        features.Set(peer);
        request.ConnectionFeatures = features;
        return (request, IcomRoute.Match(request.Path));
    }

    private IcomAccess Access(TlsMode mode) => new(mode, _tls, _registry, new ProblemResponder(new ProblemXmlWriter()));

    [Fact]
    public void AdmittingAnMtlsCallerAllocatesNothing()
    {
        var peer = new PeerIdentity(IPAddress.Loopback, fromTrustedProxy: false) { ClientCertificate = _certificates.Client(Psp1) };
        peer.Verdict = _tls.Current.Clients.Validate(peer.ClientCertificate);
        var (request, route) = Request(peer);
        var access = Access(TlsMode.Mtls);
        var response = new HttpResponse { Date = _date };
        Assert.True(access.Admit(request, response, route));
        // Admission, and finding the certificate the caller's messages are verified against.
        AllocationMeter.AssertNone(() => access.Admit(request, response, route) && access.Signers(request, route.Ispb).Length == 1
            ? 1 : throw new InvalidOperationException("refused"));
    }

    [Fact]
    public void AdmittingAProxiedCallerAllocatesNothingOnceItsHeaderWasSeen()
    {
        var peer = new PeerIdentity(IPAddress.Loopback, fromTrustedProxy: true);
        var (request, route) = Request(peer);
        request.SetHeader(KnownHeader.ForwardedCertificate, Encoding.ASCII.GetBytes(Uri.EscapeDataString(_certificates.Client(Psp1).ExportCertificatePem())));
        request.SetHeader(KnownHeader.ForwardedFor, "198.51.100.1, 10.1.2.3"u8);
        var access = Access(TlsMode.Proxy);
        var response = new HttpResponse { Date = _date };
        Assert.True(access.Admit(request, response, route));
        AllocationMeter.AssertNone(() => access.Admit(request, response, route) ? 1 : throw new InvalidOperationException("refused"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheParserKeepsTheForwardedHeadersOnlyInProxyMode(bool proxy)
    {
        var limits = new HttpLimits { ForwardedCertificateHeader = proxy ? "X-Client-Cert"u8.ToArray() : null };
        var request = new HttpRequest();
        var raw = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nx-client-cert: abc%0A\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n");
        using var parser = new HttpRequestParser(limits);
        Assert.Equal(ParseStatus.Complete, parser.TryParse(new ReadOnlySequence<byte>(raw), request, out _, out _));
        Assert.Equal(proxy ? "abc%0A" : "", Encoding.ASCII.GetString(request.Header(KnownHeader.ForwardedCertificate)));
        Assert.Equal(proxy ? "192.0.2.1" : "", Encoding.ASCII.GetString(request.Header(KnownHeader.ForwardedFor)));
        Assert.Equal(!proxy, request.HasUnlistedHeader);
    }
}
