using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Tls;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>
/// The ICOM listener in mtls mode, over real TLS with certificates made for the test: a participant is its client
/// certificate's CN and acts only on its own ISPB; the SPI alone addresses anyone; a certificate that is missing,
/// from another CA or not naming an ISPB never reaches HTTP.
/// </summary>
public sealed class MutualTlsTests(MutualTlsFixture fixture) : IClassFixture<MutualTlsFixture>
{
    private static async Task<RawResponse> DrainAsync(IcomClient client, string ispb, List<string> into)
    {
        var response = await client.StartAsync(ispb);
        while (response.Status == 200)
        {
            into.AddRange(IcomClient.Messages(response).Select(m => m.Xml));
            response = await client.GetAsync(response.Header("PI-Pull-Next")!);
        }
        Assert.Equal(204, response.Status);
        Assert.Equal(200, (await client.DeleteAsync(response.Header("PI-Pull-Next")!)).Status);
        return response;
    }

    [Fact]
    public async Task AParticipantReadsItsOwnStreamOverTls13AndTls12WithHttp11Only()
    {
        foreach (var protocol in new[] { SslProtocols.Tls13, SslProtocols.Tls12 })
        {
            // The client offers h2 first: ALPN must still settle on http/1.1, the only protocol the listener speaks.
            using var connection = await RawHttpConnection.ConnectTlsAsync(fixture.Port, fixture.Certificates.Client(Psp1), fixture.Certificates.Ca,
                protocol, [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);
            Assert.Equal(protocol, connection.Tls!.SslProtocol);
            Assert.Equal(SslApplicationProtocol.Http11, connection.Tls.NegotiatedApplicationProtocol);
            using var client = new IcomClient(connection);
            var start = await client.StartAsync(Psp1);
            Assert.Equal(204, start.Status);
            Assert.StartsWith($"/api/v1/out/{Psp1}/stream/", start.Header("PI-Pull-Next"));
            Assert.Equal(200, (await client.DeleteAsync(start.Header("PI-Pull-Next")!)).Status);
        }
    }

    [Fact]
    public async Task TheSpiAddressesAnyParticipantAndOnlyThatParticipantReadsIt()
    {
        using var spi = await fixture.ConnectAsync(Spi);
        var created = await spi.PostAsync(Spi, TestMessages.Pacs008(Spi, Psp2, "for-psp2"));
        Assert.Equal(201, created.Status);

        using var psp1 = await fixture.ConnectAsync(Psp1);
        var peek = await psp1.StartAsync(Psp2);
        Assert.Equal(403, peek.Status);
        Assert.Contains("another participant than the path", peek.Text);

        using var psp2 = await fixture.ConnectAsync(Psp2);
        var received = new List<string>();
        await DrainAsync(psp2, Psp2, received);
        Assert.Equal(["for-psp2"], received.Select(IcomClient.Tag));
    }

    [Fact]
    public async Task AnotherParticipantsPathIsForbiddenForEveryRouteAndChangesNothing()
    {
        using var psp1 = await fixture.ConnectAsync(Psp1);
        using var psp3 = await fixture.ConnectAsync(Psp3);
        var own = await psp3.StartAsync(Psp3);
        var token = own.Header("PI-Pull-Next")!;

        // POST as PSP 3 from PSP 1's connection: refused from the head, whatever the body.
        var post = await psp1.PostAsync(Psp3, TestMessages.Pacs008(Psp3, Spi, "impostor"));
        Assert.Equal(403, post.Status);
        Assert.Equal("application/problem+xml", post.Header("Content-Type"));
        Assert.Equal(403, (await psp1.PostAsync(Psp3, "not even XML")).Status);
        Assert.Equal(403, (await psp1.StartAsync(Psp3)).Status);
        // PSP 3's real token on PSP 3's path, sent by PSP 1: still 403, and the stream is untouched.
        Assert.Equal(403, (await psp1.GetAsync(token)).Status);
        Assert.Equal(403, (await psp1.DeleteAsync(token)).Status);
        // A method the route does not allow is refused the same way (405 would already say the path exists).
        Assert.Equal(403, (await psp1.SendAsync("PUT", $"/api/v1/in/{Psp3}/msgs", [], "")).Status);

        // PSP 3's stream still works on the same token, and nothing was stored under PSP 3's name.
        var next = await psp3.GetAsync(token);
        Assert.Equal(204, next.Status);
        Assert.Equal(200, (await psp3.DeleteAsync(next.Header("PI-Pull-Next")!)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APostToAnotherParticipantsPathIsRefusedFromItsHeadWithoutWaitingForTheBody(bool expectContinue)
    {
        using var psp1 = await fixture.ConnectAsync(Psp1);
        // A head announcing a megabyte that never comes: the 403 must not wait for it (nor send 100 Continue).
        var expect = expectContinue ? "Expect: 100-continue\r\n" : "";
        psp1.Connection.Send($"POST /api/v1/in/{Psp3}/msgs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\n{expect}Content-Length: 1000000\r\n\r\n<partial");
        var refused = await psp1.Connection.ReadAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(403, refused.Status);
        Assert.Contains("another participant than the path", refused.Text);
        Assert.Equal("close", refused.Header("Connection"));
        // The unread body cannot be skipped safely: the connection ends after the answer.
        Assert.True(await psp1.Connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));

        // A caller posting to its own path with the same head gets its body read: the refusal is about the path only.
        using var psp3 = await fixture.ConnectAsync(Psp3);
        var own = TestMessages.Pacs008(Psp3, Spi, "own-path");
        var bytes = System.Text.Encoding.UTF8.GetByteCount(own);
        psp3.Connection.Send($"POST /api/v1/in/{Psp3}/msgs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\n{expect}Content-Length: {bytes}\r\n\r\n{own[..10]}");
        if (expectContinue) Assert.Equal(100, (await psp3.Connection.ReadAsync(TimeSpan.FromSeconds(10))).Status);
        psp3.Connection.Send(own[10..]);
        Assert.Equal(201, (await psp3.Connection.ReadAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task AnotherParticipantsTokenUnderOnesOwnPathIsForbidden()
    {
        using var psp1 = await fixture.ConnectAsync(Psp1);
        using var psp2 = await fixture.ConnectAsync(Psp2);
        var start = await psp2.StartAsync(Psp2);
        var token = start.Header("PI-Pull-Next")![(start.Header("PI-Pull-Next")!.LastIndexOf('/') + 1)..];
        var stolen = await psp1.GetAsync($"/api/v1/out/{Psp1}/stream/{token}");
        Assert.Equal(403, stolen.Status);
        Assert.Contains("another ISPB", stolen.Text);
        Assert.Equal(403, (await psp1.DeleteAsync($"/api/v1/out/{Psp1}/stream/{token}")).Status);
        Assert.Equal(200, (await psp2.DeleteAsync(start.Header("PI-Pull-Next")!)).Status);
    }

    [Fact]
    public async Task AMessageWhoseSenderIsNotTheCallerIsForbiddenAndNothingOfTheRequestIsStored()
    {
        using var psp1 = await fixture.ConnectAsync(Psp1);
        using var spi = await fixture.ConnectAsync(Spi);
        var before = new List<string>();
        await DrainAsync(spi, Spi, before);

        // PSP 1 on its own path, but one of the messages claims to come from PSP 2.
        var forged = await psp1.PostMultipartAsync(Psp1, [TestMessages.Pacs008(Psp1, Spi, "honest"), TestMessages.Pacs008(Psp2, Spi, "forged")]);
        Assert.Equal(403, forged.Status);
        Assert.Contains("AppHdr/Fr", forged.Text);

        var after = new List<string>();
        await DrainAsync(spi, Spi, after);
        Assert.Empty(after);
        var notices = new List<string>();
        await DrainAsync(psp1, Psp1, notices);
        Assert.Empty(notices);
    }

    [Fact]
    public async Task APspAddressingAnotherPspIsQuarantinedWithANoticeToTheSender()
    {
        using var psp4 = await fixture.ConnectAsync(Psp4);
        Assert.Equal(201, (await psp4.PostAsync(Psp4, TestMessages.Pacs008(Psp4, Psp2, "direct"))).Status);
        // Notices leave through the outbox, after the 201: follow the stream until it is there.
        var read = await psp4.StartAsync(Psp4);
        for (var i = 0; i < 60 && read.Status == 204; i++) read = await psp4.GetAsync(read.Header("PI-Pull-Next")!);
        Assert.Contains("<RjctgPtyRsn>NotRoutable</RjctgPtyRsn>", Assert.Single(IcomClient.Messages(read)).Xml);
        Assert.Equal(200, (await psp4.DeleteAsync(read.Header("PI-Pull-Next")!)).Status);
    }

    [Fact]
    public async Task HandshakesByOutcomeAndCertificateExpiriesAreExported()
    {
        using var http = new HttpClient();
        async Task<string> Metrics() => await http.GetStringAsync($"http://127.0.0.1:{fixture.Server.AdminPort}/metrics");
        var before = await Metrics();
        double Count(string exposition, string outcome) => PrometheusText.Value(exposition, "pix_tls_handshakes_total", ("outcome", outcome)) ?? 0;

        using (var psp1 = await fixture.ConnectAsync(Psp1)) Assert.Equal(204, (await psp1.StartAsync(Psp1)).Status);
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, null, fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));

        var after = await Metrics();
        Assert.True(Count(after, "accepted") >= Count(before, "accepted") + 1, after);
        Assert.True(Count(after, "missing") >= Count(before, "missing") + 1, after);

        // Seconds until each certificate expires, as the files say (the alert warns 30 days ahead).
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(fixture.Certificates.Set.ServerCertificate));
        var serverLeft = PrometheusText.Value(after, "pix_tls_certificate_expiry_seconds", ("certificate", "server"));
        Assert.NotNull(serverLeft);
        Assert.InRange(serverLeft.Value, (server.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds - 300, (server.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds + 300);
        Assert.True(PrometheusText.Value(after, "pix_tls_certificate_expiry_seconds", ("certificate", "client_ca")) > 86_400, after);
    }

    [Fact]
    public async Task NoClientCertificateNeverReachesHttp()
    {
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, null, fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "client certificate (none): Missing"));
    }

    [Fact]
    public async Task ACertificateFromAnotherCaNeverReachesHttp()
    {
        using var stranger = CertificateAuthority.Create("Some other CA");
        using var certificate = stranger.IssueClient(Ispb.Parse(Psp1));
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, certificate, fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, $"client certificate {certificate.Subject}: Untrusted"));
    }

    [Fact]
    public async Task AnExpiredCertificateNeverReachesHttp()
    {
        using var expired = fixture.Certificates.Authority.IssueClient(Ispb.Parse(Psp1), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, expired, fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, $"client certificate {expired.Subject}: Expired"));
    }

    [Fact]
    public async Task ACertificateWhoseCnIsNotAnIspbNeverReachesHttp()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest("CN=bank-one, O=Pix participant", key, System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        using var caKey = fixture.Certificates.Authority.Certificate.GetRSAPrivateKey()!;
        using var unsigned = request.Create(fixture.Certificates.Authority.Certificate.SubjectName,
            X509SignatureGenerator.CreateForRSA(caKey, System.Security.Cryptography.RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var certificate = unsigned.CopyWithPrivateKey(key);
        Assert.False(await Refusals.ReachesHttpAsync(
            () => RawHttpConnection.ConnectTlsAsync(fixture.Port, certificate, fixture.Certificates.Ca), $"/api/v1/out/{Psp1}/stream/start"));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "client certificate CN=bank-one, O=Pix participant: NotAnIspb"));
    }
}
