using Pix.Protocol.Ids;
using Pix.Server.Tls;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>Two servers in proxy mode: one trusts 127.0.0.1 as its TLS terminator (with strict headers on and a registry
/// that keeps PSP 2 to 192.0.2.0/24), the other trusts only 10.0.0.0/8, so this test is an untrusted address to it.</summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    internal TestCertificates Certificates { get; } = new();
    internal PixServerProcess Trusting { get; private set; } = null!;
    internal PixServerProcess Untrusting { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var registry = Certificates.File("participants.json");
        File.WriteAllText(registry, $$"""
            { "participants": [ { "ispb": "{{Spi}}" }, { "ispb": "{{Psp1}}" }, { "ispb": "{{Psp2}}", "networks": ["192.0.2.0/24"] } ] }
            """);
        (string, string)[] common = [("Pix:Tls:Mode", "proxy"), ("Pix:Tls:ClientCaPath", Certificates.Set.CaCertificate), ("Pix:Streams:LongPollSeconds", "0.3")];
        Trusting = await PixServerProcess.StartAsync("memory", null,
            [.. common, ("Pix:Tls:TrustedProxies", "127.0.0.1/32, ::1"), ("Pix:Http:StrictHeaders", "true"), ("Pix:Participants:Path", registry)]);
        Untrusting = await PixServerProcess.StartAsync("memory", null, [.. common, ("Pix:Tls:TrustedProxies", "10.0.0.0/8")]);
    }

    /// <summary>The header value nginx's <c>$ssl_client_escaped_cert</c> would send for this certificate.</summary>
    public static string Forwarded(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        Uri.EscapeDataString(certificate.ExportCertificatePem() + "\n");

    public async Task DisposeAsync()
    {
        await Trusting.DisposeAsync();
        await Untrusting.DisposeAsync();
        Certificates.Dispose();
    }
}

public sealed class ProxyModeTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private string As(string ispb, string extra = "") => $"X-Client-Cert: {ProxyFixture.Forwarded(fixture.Certificates.Client(ispb))}\r\n{extra}";

    [Fact]
    public async Task ACertificateForwardedByATrustedTerminatorNamesTheCallerEvenWithStrictHeaders()
    {
        using var client = new IcomClient(fixture.Trusting.Port);
        var own = await client.StartAsync(Psp1, extraHeaders: As(Psp1));
        Assert.Equal(204, own.Status);
        Assert.Equal(403, (await client.StartAsync(Spi, extraHeaders: As(Psp1))).Status);
        // Another participant's certificate on the same connection (a terminator reusing its upstream connection).
        Assert.Equal(204, (await client.StartAsync(Spi, extraHeaders: As(Spi))).Status);
        // Strict headers still refuse what is not on ICOM's list.
        Assert.Equal(400, (await client.StartAsync(Psp1, extraHeaders: As(Psp1, "X-Other: 1\r\n"))).Status);
    }

    [Fact]
    public async Task NoForwardedCertificateIsUnauthorized()
    {
        using var client = new IcomClient(fixture.Trusting.Port);
        var response = await client.StartAsync(Psp1);
        Assert.Equal(401, response.Status);
        Assert.Contains("No verified client certificate was forwarded", response.Text);
        Assert.Equal(401, (await client.SendAsync("GET", "/no/such/path", null, "")).Status);
    }

    [Fact]
    public async Task PixChecksTheForwardedChainItself()
    {
        using var stranger = CertificateAuthority.Create("Not the participants' CA");
        using var certificate = stranger.IssueClient(Ispb.Parse(Psp1));
        using var client = new IcomClient(fixture.Trusting.Port);
        var response = await client.StartAsync(Psp1, extraHeaders: $"X-Client-Cert: {ProxyFixture.Forwarded(certificate)}\r\n");
        Assert.Equal(401, response.Status);
        Assert.Contains("does not chain", response.Text);
        var garbage = await client.StartAsync(Psp1, extraHeaders: "X-Client-Cert: -----BEGIN%20CERTIFICATE-----%0AAAAA%0A\r\n");
        Assert.Equal(401, garbage.Status);
        Assert.Contains("not a URL-encoded PEM certificate", garbage.Text);
    }

    [Fact]
    public async Task ACertificateForwardedFromAnUntrustedAddressIsUnauthorized()
    {
        using var client = new IcomClient(fixture.Untrusting.Port);
        var response = await client.StartAsync(Psp1, extraHeaders: As(Psp1));
        Assert.Equal(401, response.Status);
        Assert.Contains("trusted TLS terminator", response.Text);
        Assert.Equal(401, (await client.PostAsync(Psp1, TestMessages.Pacs008(Psp1, Spi))).Status);
    }

    [Fact]
    public async Task RegisteredNetworksApplyToTheAddressTheTerminatorSaw()
    {
        using var client = new IcomClient(fixture.Trusting.Port);
        // The last X-Forwarded-For entry is the one the trusted terminator appended: the real client.
        Assert.Equal(204, (await client.StartAsync(Psp2, extraHeaders: As(Psp2, "X-Forwarded-For: 198.51.100.7, 192.0.2.10\r\n"))).Status);
        var outside = await client.StartAsync(Psp2, extraHeaders: As(Psp2, "X-Forwarded-For: 192.0.2.10, 198.51.100.7\r\n"));
        Assert.Equal(403, outside.Status);
        Assert.Contains("may not connect from this address", outside.Text);
        Assert.Equal(403, (await client.StartAsync(Psp2, extraHeaders: As(Psp2))).Status);
    }
}
