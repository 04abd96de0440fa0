using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Tls;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>A server whose certificate, client CA bundle and CRL are files this class replaces while it runs.</summary>
public sealed class TlsReloadFixture : MutualTlsFixture
{
    public string ServerCertificate => Certificates.File("server.pem");
    public string ServerKey => Certificates.File("server.key");
    public string CaBundle => Certificates.File("ca-bundle.pem");
    public string Crl => Certificates.File("crl.pem");

    protected override IEnumerable<(string Key, string Value)> Settings
    {
        get
        {
            File.Copy(Certificates.Set.ServerCertificate, ServerCertificate, overwrite: true);
            File.Copy(Certificates.Set.ServerKey, ServerKey, overwrite: true);
            File.Copy(Certificates.Set.CaCertificate, CaBundle, overwrite: true);
            Certificates.WriteCrl(Crl, 1);
            return [("Pix:Tls:CertificatePath", ServerCertificate), ("Pix:Tls:KeyPath", ServerKey), ("Pix:Tls:ClientCaPath", CaBundle), ("Pix:Tls:CrlPath", Crl)];
        }
    }
}

/// <summary>Certificates and the CRL are reloaded without a restart: new handshakes see the new files at once, and a
/// revocation also reaches connections that were already open.</summary>
public sealed class TlsReloadTests(TlsReloadFixture fixture) : IClassFixture<TlsReloadFixture>
{
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return false;
    }

    [Fact]
    public async Task ARevokedCertificateIsRefusedOnOpenConnectionsAndNewHandshakes()
    {
        using var open = await fixture.ConnectAsync(Psp4);
        var start = await open.StartAsync(Psp4);
        Assert.Equal(204, start.Status);

        fixture.Certificates.WriteCrl(fixture.Crl, 2, fixture.Certificates.Client(Psp4));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "with 1 revoked serial(s)"), fixture.Server.Output);

        // The connection opened before the CRL changed is checked again on its next request, and closed.
        var refused = await open.GetAsync(start.Header("PI-Pull-Next")!);
        Assert.Equal(403, refused.Status);
        Assert.Contains("no longer accepted", refused.Text);
        Assert.Equal("close", refused.Header("Connection"));
        Assert.True(await open.Connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(5)));

        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, fixture.Certificates.Client(Psp4), fixture.Certificates.Ca), $"/api/v1/out/{Psp4}/stream/start"));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "Revoked"));

        // Everyone else carries on.
        using var other = await fixture.ConnectAsync(Psp1);
        Assert.Equal(204, (await other.StartAsync(Psp1)).Status);
    }

    [Fact]
    public async Task TheServerCertificateIsReplacedWithoutARestart()
    {
        using var replacement = fixture.Certificates.Authority.IssueServer(["localhost"], [IPAddress.Loopback]);
        TestCertificates.WriteReplacing(fixture.ServerKey, replacement.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        TestCertificates.WriteReplacing(fixture.ServerCertificate, replacement.ExportCertificatePem());

        string? presented = null;
        Assert.True(await EventuallyAsync(async () =>
        {
            using var connection = await RawHttpConnection.ConnectTlsAsync(fixture.Port, fixture.Certificates.Client(Psp1), fixture.Certificates.Ca);
            presented = connection.Tls!.RemoteCertificate!.GetCertHashString();
            return presented == replacement.GetCertHashString();
        }), $"still presenting {presented}\n{fixture.Server.Output}");
    }

    [Fact]
    public async Task ANewClientCaIsTrustedWithoutARestart()
    {
        using var second = CertificateAuthority.Create("Second participants CA");
        using var certificate = second.IssueClient(Ispb.Parse(Psp3));
        Task<RawHttpConnection> Connect() => RawHttpConnection.ConnectTlsAsync(fixture.Port, certificate, fixture.Certificates.Ca);
        Assert.False(await Refusals.ReachesHttpAsync(Connect, $"/api/v1/out/{Psp3}/stream/start"));

        TestCertificates.WriteReplacing(fixture.CaBundle, fixture.Certificates.Ca.ExportCertificatePem() + "\n" + second.Certificate.ExportCertificatePem() + "\n");
        Assert.True(await EventuallyAsync(() => Refusals.ReachesHttpAsync(Connect, $"/api/v1/out/{Psp3}/stream/start")), fixture.Server.Output);
        using var client = new IcomClient(await Connect());
        Assert.Equal(204, (await client.StartAsync(Psp3)).Status);
    }

    [Fact]
    public async Task ABrokenReplacementKeepsThePreviousMaterialInService()
    {
        var before = await File.ReadAllTextAsync(fixture.CaBundle);
        TestCertificates.WriteReplacing(fixture.CaBundle, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "could not be loaded (Pix:Tls:ClientCaPath"), fixture.Server.Output);
        using var client = await fixture.ConnectAsync(Psp1);
        Assert.Equal(204, (await client.StartAsync(Psp1)).Status);
        TestCertificates.WriteReplacing(fixture.CaBundle, before);
    }
}
